"""The storage quota: each document's extracted text size, and a row per owner of
documents that orders the quota checks of its uploads and ingestions.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "documents",
        sa.Column("text_size", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    )
    op.create_table(
        "storage_locks",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("owner_id", sa.Uuid, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "owner_id", name="pk_storage_locks"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_storage_locks_tenant_id_tenants"
        ),
    )


def downgrade() -> None:
    op.drop_table("storage_locks")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("text_size")
