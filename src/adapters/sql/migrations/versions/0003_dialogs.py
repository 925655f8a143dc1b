"""Dialogs and their messages.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# How ``UtcDateTime`` stores its values, written out: a migration never imports live code,
# whose later changes would rewrite what it once did.
_UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dialogs",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("owner_id", sa.Uuid, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.Column("updated_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dialogs"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_dialogs_tenant_id_tenants"),
    )
    op.create_index(
        "ix_dialogs_owner_created", "dialogs", ["tenant_id", "owner_id", "created_at", "id"]
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("dialog_id", sa.Uuid, nullable=False),
        sa.Column("owner_id", sa.Uuid, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.Column("finish_reason", sa.String(16), nullable=True),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(
            ["dialog_id"],
            ["dialogs.id"],
            ondelete="CASCADE",
            name="fk_messages_dialog_id_dialogs",
        ),
        sa.CheckConstraint("role IN ('user', 'assistant')", name="ck_messages_role"),
    )
    op.create_index("ix_messages_dialog_created", "messages", ["dialog_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_table("messages")
    op.drop_table("dialogs")
