"""Replies stored as they grow: the heartbeat of a reply in progress, the admission
hold its usage settles, a stop asked of it from any process, and an index that finds
the replies nobody writes any more.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# How ``UtcDateTime`` stores its values, written out (a migration never imports live code).
_UTC_DATETIME = sa.DateTime(timezone=True)
_IN_PROGRESS = "beat_at IS NOT NULL"  # finishing a reply clears its beat


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("beat_at", _UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("reservation_id", sa.Uuid, nullable=True))
        batch.add_column(
            sa.Column("stop_requested", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_index(
        "ix_messages_in_progress_beat",
        "messages",
        ["beat_at"],
        postgresql_where=sa.text(_IN_PROGRESS),
        sqlite_where=sa.text(_IN_PROGRESS),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_in_progress_beat", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("stop_requested")
        batch.drop_column("reservation_id")
        batch.drop_column("beat_at")
