"""The bare references: the work behind chatcore's hot paths done by hand, once on raw
ASGI and once on plain Litestar — the floor chatcore's architecture is measured
against. They share nothing with chatcore but the database it wrote."""
