"""SQLAlchemy (Core, async) adapters: one set of repositories for SQLite and Postgres."""
