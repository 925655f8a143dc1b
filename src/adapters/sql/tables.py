"""The schema, as SQLAlchemy Core tables. Migrations create it; repositories query it.

Every table that holds tenant data has a ``tenant_id`` column, and every index a
query by owner uses starts with it.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.dialect import UtcDateTime, embedding_type, json_type, sequence_type

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("slug", sa.String(63), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("settings", json_type(), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

dialogs = sa.Table(
    "dialogs",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_dialogs_owner_created", "tenant_id", "owner_id", "created_at", "id"),
)

# Messages are read by dialog (a random id, checked against tenant and owner); the
# index leads with it so that ON DELETE CASCADE finds a dialog's messages too.
messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid, nullable=False),
    sa.Column(
        "dialog_id", sa.Uuid, sa.ForeignKey("dialogs.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("finish_reason", sa.String(16), nullable=True),
    sa.Column("prompt_tokens", sa.Integer, nullable=False),
    sa.Column("completion_tokens", sa.Integer, nullable=False),
    sa.Column("model", sa.String(200), nullable=True),
    # A reply in progress (only then not null): when its text was last written, and
    # what its admission held.
    sa.Column("beat_at", UtcDateTime, nullable=True),
    sa.Column("reservation_id", sa.Uuid, nullable=True),
    # Set by a stop from any process; the process writing the reply reads it as it grows.
    sa.Column("stop_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.CheckConstraint("role IN ('user', 'assistant')", name="role"),
    sa.Index("ix_messages_dialog_created", "dialog_id", "created_at", "id"),
    sa.Index(
        "ix_messages_in_progress_beat",
        "beat_at",
        postgresql_where=sa.text("beat_at IS NOT NULL"),
        sqlite_where=sa.text("beat_at IS NOT NULL"),
    ),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=True),
    sa.Column("email_confirmed_at", UtcDateTime, nullable=True),
    sa.Column("display_name", sa.String(200), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("tenant_id", "email", name="uq_users_tenant_id_email"),
    sa.Index(
        "ix_users_unconfirmed_created",
        "tenant_id",
        "created_at",
        postgresql_where=sa.text("email_confirmed_at IS NULL"),
        sqlite_where=sa.text("email_confirmed_at IS NULL"),
    ),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("principal_id", sa.Uuid, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=False),
    sa.Column("user_agent", sa.String(512), nullable=True),
    sa.CheckConstraint("kind IN ('user', 'anonymous')", name="kind"),
    sa.Index("ix_sessions_tenant_id_principal_id", "tenant_id", "principal_id"),
    sa.Index("ix_sessions_tenant_id_expires_at", "tenant_id", "expires_at"),
)

# Found by prefix (any tenant: the key names its own), listed by owner. No foreign key
# from the ledger: usage made with a revoked key stays billed.
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("owner_id", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=True),
    sa.Column("last_used_at", UtcDateTime, nullable=True),
    sa.Index("ix_api_keys_prefix", "prefix"),
    sa.Index("ix_api_keys_owner_created", "tenant_id", "owner_id", "created_at", "id"),
)

otp_challenges = sa.Table(
    "otp_challenges",
    metadata,
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("email", sa.String(254), primary_key=True),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("issued_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("used_at", UtcDateTime, nullable=True),
)

email_confirmations = sa.Table(
    "email_confirmations",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Index("ix_email_confirmations_tenant_id_user_id", "tenant_id", "user_id"),
    sa.Index("ix_email_confirmations_tenant_id_expires_at", "tenant_id", "expires_at"),
)

# Keyed subject before scope, so forgetting everything about an email uses the key.
auth_throttles = sa.Table(
    "auth_throttles",
    metadata,
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("subject", sa.String(254), primary_key=True),
    sa.Column("scope", sa.String(16), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("window_started_at", UtcDateTime, nullable=False),
    sa.Column("last_at", UtcDateTime, nullable=False),
    sa.Index("ix_auth_throttles_tenant_id_last_at", "tenant_id", "last_at"),
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("locale", sa.String(35), nullable=True),
    sa.Column("settings", json_type(), nullable=False),
    sa.Column("avatar", sa.String(100), nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

# Kept texts are copies: no foreign key to messages, so they outlive their dialog.
saved_items = sa.Table(
    "saved_items",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("message_id", sa.Uuid, nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_saved_items_owner_created", "tenant_id", "owner_id", "created_at", "id"),
)

# The ledger outlives dialogs (no foreign key to them): usage stays billed.
usage_entries = sa.Table(
    "usage_entries",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("principal_id", sa.Uuid, nullable=False),
    sa.Column("dialog_id", sa.Uuid, nullable=True),
    sa.Column("model", sa.String(200), nullable=True),
    sa.Column("prompt_tokens", sa.Integer, nullable=False),
    sa.Column("completion_tokens", sa.Integer, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("api_key_id", sa.Uuid, nullable=True),
    sa.Index("ix_usage_entries_principal_at", "tenant_id", "principal_id", "at"),
)

# Running totals per month; ``subject_id`` is a principal's id, or the tenant's own id
# for the whole tenant. Admissions lock these rows, so they also serialise the checks.
usage_totals = sa.Table(
    "usage_totals",
    metadata,
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("subject_id", sa.Uuid, primary_key=True),
    sa.Column("period_start", UtcDateTime, primary_key=True),
    sa.Column("prompt_tokens", sa.BigInteger, nullable=False),
    sa.Column("completion_tokens", sa.BigInteger, nullable=False),
)

usage_reservations = sa.Table(
    "usage_reservations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("principal_id", sa.Uuid, nullable=False),
    sa.Column("tokens", sa.Integer, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Index("ix_usage_reservations_principal", "tenant_id", "principal_id"),
)

# One row per subject: the times of its requests in the current window (at most the
# limit of them), as a JSON list; the row is also the lock that orders its requests.
rate_windows = sa.Table(
    "rate_windows",
    metadata,
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("subject_id", sa.Uuid, primary_key=True),
    sa.Column("hits", json_type(), nullable=False),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("blob_key", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("pages", sa.Integer, nullable=False),
    sa.Column("chunks", sa.Integer, nullable=False),
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("text_size", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    sa.CheckConstraint("status IN ('processing', 'ready', 'failed')", name="status"),
    sa.UniqueConstraint("tenant_id", "owner_id", "sha256", name="uq_documents_owner_sha256"),
    sa.Index("ix_documents_owner_created", "tenant_id", "owner_id", "created_at", "id"),
)

# One row per owner of documents, holding nothing: locking it orders the storage
# quota checks of the owner's uploads and ingestions (their sum is over documents).
storage_locks = sa.Table(
    "storage_locks",
    metadata,
    sa.Column("tenant_id", sa.Uuid, sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("owner_id", sa.Uuid, primary_key=True),
)

# Postgres adds a generated ``search_vector`` tsvector column and vector indexes,
# SQLite an FTS5 table kept in step by triggers (see migration 0004): queries that
# use them live in ``adapters.sql.chunk_dialects``.
document_chunks = sa.Table(
    "document_chunks",
    metadata,
    # A stable integer key: on SQLite it is the rowid, which the FTS5 table shares.
    sa.Column("seq", sequence_type(), primary_key=True, autoincrement=True),
    sa.Column("id", sa.Uuid, nullable=False, unique=True),
    sa.Column("tenant_id", sa.Uuid, nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column(
        "document_id", sa.Uuid, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("ordinal", sa.Integer, nullable=False),
    sa.Column("page", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("embedder", sa.String(100), nullable=False),
    sa.Column("dimension", sa.Integer, nullable=False),
    sa.Column("embedding", embedding_type(), nullable=False),
    sa.Index("ix_document_chunks_owner", "tenant_id", "owner_id", "embedder"),
    sa.Index("ix_document_chunks_document", "document_id", "ordinal"),
)

# Files kept in the database (CHATCORE_STORAGE_URL=database), for several machines
# that share it and no disk. A file is a row here and its bytes a few pieces below,
# so that no row, and no statement, holds a whole large file. ``store`` keeps apart
# what would be separate folders on disk (documents' files, avatars); a row is
# ``complete`` once every piece is written, and only complete files are read.
blobs = sa.Table(
    "blobs",
    metadata,
    sa.Column("store", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("pieces", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=True),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_blobs_complete_updated_at", "complete", "updated_at"),
)

blob_pieces = sa.Table(
    "blob_pieces",
    metadata,
    sa.Column("store", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("ordinal", sa.Integer, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.ForeignKeyConstraint(
        ["store", "key"],
        ["blobs.store", "blobs.key"],
        ondelete="CASCADE",
        name="fk_blob_pieces_store_blobs",
    ),
)

# The durable job queue (adapters.sql.jobs): at most one job per kind and key; a
# job is held by the worker named in ``lease_owner`` until ``lease_until``, and a
# lease that ran out (its worker died) frees it for another.
jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("payload", json_type(), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("run_at", UtcDateTime, nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_until", UtcDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("kind", "key", name="uq_jobs_kind_key"),
    sa.Index("ix_jobs_run_at", "run_at"),
)
