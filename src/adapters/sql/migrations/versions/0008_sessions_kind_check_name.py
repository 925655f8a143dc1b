"""The check on ``sessions.kind`` gets the name the tables declare, ``ck_sessions_kind``
(0002 created it as ``ck_sessions_ck_sessions_kind``).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_KINDS = "kind IN ('user', 'anonymous')"


def upgrade() -> None:
    _rename("ck_sessions_ck_sessions_kind", "ck_sessions_kind")


def downgrade() -> None:
    _rename("ck_sessions_kind", "ck_sessions_ck_sessions_kind")


def _rename(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE sessions RENAME CONSTRAINT {old} TO {new}")
        return
    # SQLite cannot alter a constraint: the table is copied with the new one.
    with op.batch_alter_table("sessions", recreate="always") as batch:
        batch.drop_constraint(old, type_="check")
        batch.create_check_constraint(new, _KINDS)
