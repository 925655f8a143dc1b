"""Identity: users, sessions, one-time codes, confirmation links, throttles.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# How ``UtcDateTime`` stores its values, written out: a migration never imports live code,
# whose later changes would rewrite what it once did.
_UTC_DATETIME = sa.DateTime(timezone=True)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants"
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("email_confirmed_at", _UTC_DATETIME, nullable=True),
        sa.Column("display_name", sa.String(200), nullable=True),
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        _tenant_fk("users"),
        sa.UniqueConstraint("tenant_id", "email", name="uq_users_tenant_id_email"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("principal_id", sa.Uuid, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.Column("expires_at", _UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", _UTC_DATETIME, nullable=False),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        _tenant_fk("sessions"),
        # The name this migration has always given (the naming convention, applied again
        # to a full name, doubled its prefix); 0008 renames it.
        sa.CheckConstraint("kind IN ('user', 'anonymous')", name="ck_sessions_ck_sessions_kind"),
    )
    op.create_index("ix_sessions_tenant_id_principal_id", "sessions", ["tenant_id", "principal_id"])
    op.create_table(
        "otp_challenges",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("issued_at", _UTC_DATETIME, nullable=False),
        sa.Column("expires_at", _UTC_DATETIME, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("used_at", _UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "email", name="pk_otp_challenges"),
        _tenant_fk("otp_challenges"),
    )
    op.create_table(
        "email_confirmations",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("user_id", sa.Uuid, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.Column("expires_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_email_confirmations"),
        _tenant_fk("email_confirmations"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_email_confirmations_user_id_users"
        ),
    )
    op.create_index(
        "ix_email_confirmations_tenant_id_user_id",
        "email_confirmations",
        ["tenant_id", "user_id"],
    )
    op.create_table(
        "auth_throttles",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("subject", sa.String(254), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("window_started_at", _UTC_DATETIME, nullable=False),
        sa.Column("last_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "subject", "scope", name="pk_auth_throttles"),
        _tenant_fk("auth_throttles"),
    )


def downgrade() -> None:
    op.drop_table("auth_throttles")
    op.drop_index("ix_email_confirmations_tenant_id_user_id", table_name="email_confirmations")
    op.drop_table("email_confirmations")
    op.drop_table("otp_challenges")
    op.drop_index("ix_sessions_tenant_id_principal_id", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("users")
