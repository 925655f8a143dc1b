"""The schema, as SQLAlchemy Core tables. Migrations create it; repositories query it.

Every table that holds tenant data has a ``tenant_id`` column, and every index a
query by owner uses starts with it.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.types import UtcDateTime, json_type

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("slug", sa.String(63), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("settings", json_type(), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)
