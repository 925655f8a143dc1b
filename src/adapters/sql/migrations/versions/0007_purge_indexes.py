"""Indexes the purge of expired identity rows reads by.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Only unconfirmed accounts are ever purged, and they are few: a partial index.
_UNCONFIRMED = sa.text("email_confirmed_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_sessions_tenant_id_expires_at", "sessions", ["tenant_id", "expires_at"])
    op.create_index(
        "ix_email_confirmations_tenant_id_expires_at",
        "email_confirmations",
        ["tenant_id", "expires_at"],
    )
    op.create_index(
        "ix_auth_throttles_tenant_id_last_at", "auth_throttles", ["tenant_id", "last_at"]
    )
    op.create_index(
        "ix_users_unconfirmed_created",
        "users",
        ["tenant_id", "created_at"],
        postgresql_where=_UNCONFIRMED,
        sqlite_where=_UNCONFIRMED,
    )


def downgrade() -> None:
    op.drop_index("ix_users_unconfirmed_created", table_name="users")
    op.drop_index("ix_auth_throttles_tenant_id_last_at", table_name="auth_throttles")
    op.drop_index("ix_email_confirmations_tenant_id_expires_at", table_name="email_confirmations")
    op.drop_index("ix_sessions_tenant_id_expires_at", table_name="sessions")
