"""Usage: the ledger, monthly totals, holds of chats in flight, rate-limit windows.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# How ``UtcDateTime`` stores its values, written out: a migration never imports live code,
# whose later changes would rewrite what it once did.
_UTC_DATETIME = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "usage_entries",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("principal_id", sa.Uuid, nullable=False),
        sa.Column("dialog_id", sa.Uuid, nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_usage_entries"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_usage_entries_tenant_id_tenants"
        ),
    )
    op.create_index(
        "ix_usage_entries_principal_at", "usage_entries", ["tenant_id", "principal_id", "at"]
    )
    op.create_table(
        "usage_totals",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("subject_id", sa.Uuid, nullable=False),
        sa.Column("period_start", _UTC_DATETIME, nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger, nullable=False),
        sa.Column("completion_tokens", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "subject_id", "period_start", name="pk_usage_totals"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_usage_totals_tenant_id_tenants"
        ),
    )
    op.create_table(
        "usage_reservations",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("principal_id", sa.Uuid, nullable=False),
        sa.Column("tokens", sa.Integer, nullable=False),
        sa.Column("expires_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_usage_reservations"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_usage_reservations_tenant_id_tenants"
        ),
    )
    op.create_index(
        "ix_usage_reservations_principal", "usage_reservations", ["tenant_id", "principal_id"]
    )
    op.create_table(
        "rate_windows",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("subject_id", sa.Uuid, nullable=False),
        sa.Column("hits", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "subject_id", name="pk_rate_windows"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_rate_windows_tenant_id_tenants"
        ),
    )


def downgrade() -> None:
    op.drop_table("rate_windows")
    op.drop_table("usage_reservations")
    op.drop_table("usage_totals")
    op.drop_table("usage_entries")
