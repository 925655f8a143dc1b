"""API keys, and the ledger's record of the key a call was made with (and of calls
made outside any dialog: stateless completions).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# How ``UtcDateTime`` stores its values, written out: a migration never imports live code.
_UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("owner_id", sa.Uuid, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.Column("expires_at", _UTC_DATETIME, nullable=True),
        sa.Column("last_used_at", _UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_api_keys_tenant_id_tenants"
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_api_keys_owner_id_users"),
    )
    op.create_index("ix_api_keys_prefix", "api_keys", ["prefix"])
    op.create_index(
        "ix_api_keys_owner_created", "api_keys", ["tenant_id", "owner_id", "created_at", "id"]
    )
    with op.batch_alter_table("usage_entries") as batch:
        batch.alter_column("dialog_id", existing_type=sa.Uuid, nullable=True)
        batch.add_column(sa.Column("api_key_id", sa.Uuid, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("usage_entries") as batch:
        batch.drop_column("api_key_id")
    op.execute("DELETE FROM usage_entries WHERE dialog_id IS NULL")
    with op.batch_alter_table("usage_entries") as batch:
        batch.alter_column("dialog_id", existing_type=sa.Uuid, nullable=False)
    op.drop_index("ix_api_keys_owner_created", table_name="api_keys")
    op.drop_index("ix_api_keys_prefix", table_name="api_keys")
    op.drop_table("api_keys")
