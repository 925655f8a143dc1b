"""Files kept in the database: a row per file and its bytes in pieces.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("store", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("pieces", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store", "key", name="pk_blobs"),
    )
    op.create_index("ix_blobs_complete_updated_at", "blobs", ["complete", "updated_at"])
    op.create_table(
        "blob_pieces",
        sa.Column("store", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("store", "key", "ordinal", name="pk_blob_pieces"),
        sa.ForeignKeyConstraint(
            ["store", "key"],
            ["blobs.store", "blobs.key"],
            ondelete="CASCADE",
            name="fk_blob_pieces_store_blobs",
        ),
    )


def downgrade() -> None:
    op.drop_table("blob_pieces")
    op.drop_index("ix_blobs_complete_updated_at", table_name="blobs")
    op.drop_table("blobs")
