"""Alembic environment: runs on the connection that ``adapters.sql.migrate`` hands over.

No target metadata: each migration names everything it creates itself, so that no
later change to ``adapters.sql.tables`` alters what an old migration does.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection)
with context.begin_transaction():
    context.run_migrations()
