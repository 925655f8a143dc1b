"""Profiles and saved items.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# How ``UtcDateTime`` stores its values, written out: a migration never imports live code,
# whose later changes would rewrite what it once did.
_UTC_DATETIME = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("user_id", sa.Uuid, nullable=False),
        sa.Column("locale", sa.String(35), nullable=True),
        sa.Column("settings", _JSON, nullable=False),
        sa.Column("avatar", sa.String(100), nullable=True),
        sa.Column("updated_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", name="pk_profiles"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_profiles_tenant_id_tenants"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_profiles_user_id_users"),
    )
    op.create_table(
        "saved_items",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("owner_id", sa.Uuid, nullable=False),
        sa.Column("message_id", sa.Uuid, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved_items"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_saved_items_tenant_id_tenants"
        ),
    )
    op.create_index(
        "ix_saved_items_owner_created",
        "saved_items",
        ["tenant_id", "owner_id", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_table("saved_items")
    op.drop_table("profiles")
