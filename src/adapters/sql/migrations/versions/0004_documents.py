"""Documents and their chunks, with vector and keyword search.

Postgres: the ``vector`` extension, a generated ``tsvector`` column with a GIN index,
and HNSW cosine indexes for the dimensions of the shipped embedders (a partial
expression index per dimension, since one column holds vectors of any length).
SQLite: an FTS5 table that triggers keep in step with the chunks.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import VECTOR

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# How ``UtcDateTime`` stores its values, written out: a migration never imports live code,
# whose later changes would rewrite what it once did.
_UTC_DATETIME = sa.DateTime(timezone=True)

INDEXED_DIMENSIONS = (384, 1536)  # LocalEmbedder; OpenAI's text-embedding-3-small


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
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
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.Column("updated_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_documents_tenant_id_tenants"
        ),
        sa.CheckConstraint(
            "status IN ('processing', 'ready', 'failed')", name="ck_documents_status"
        ),
        sa.UniqueConstraint("tenant_id", "owner_id", "sha256", name="uq_documents_owner_sha256"),
    )
    op.create_index(
        "ix_documents_owner_created", "documents", ["tenant_id", "owner_id", "created_at", "id"]
    )
    op.create_table(
        "document_chunks",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("owner_id", sa.Uuid, nullable=False),
        sa.Column("document_id", sa.Uuid, nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("embedder", sa.String(100), nullable=False),
        sa.Column("dimension", sa.Integer, nullable=False),
        sa.Column(
            "embedding", sa.LargeBinary().with_variant(VECTOR(), "postgresql"), nullable=False
        ),
        # On SQLite an INTEGER primary key is the rowid, which the FTS5 table shares.
        sa.PrimaryKeyConstraint("seq", name="pk_document_chunks"),
        sa.UniqueConstraint("id", name="uq_document_chunks_id"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            ondelete="CASCADE",
            name="fk_document_chunks_document_id_documents",
        ),
    )
    op.create_index(
        "ix_document_chunks_owner", "document_chunks", ["tenant_id", "owner_id", "embedder"]
    )
    op.create_index("ix_document_chunks_document", "document_chunks", ["document_id", "ordinal"])
    if postgres:
        _postgres_search()
    else:
        _sqlite_search()


def _postgres_search() -> None:
    op.execute(
        "ALTER TABLE document_chunks ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED"
    )
    op.execute(
        "CREATE INDEX ix_document_chunks_search ON document_chunks USING gin (search_vector)"
    )
    for dimension in INDEXED_DIMENSIONS:
        op.execute(
            f"CREATE INDEX ix_document_chunks_hnsw_{dimension} ON document_chunks "
            f"USING hnsw ((embedding::vector({dimension})) vector_cosine_ops) "
            f"WHERE dimension = {dimension}"
        )


def _sqlite_search() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE document_chunks_fts USING fts5("
        "text, tokenize = 'unicode61 remove_diacritics 2')"
    )
    # Chunks are never updated, only inserted and deleted (cascades included).
    op.execute(
        "CREATE TRIGGER document_chunks_fts_insert AFTER INSERT ON document_chunks BEGIN "
        "INSERT INTO document_chunks_fts (rowid, text) VALUES (new.seq, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER document_chunks_fts_delete AFTER DELETE ON document_chunks BEGIN "
        "DELETE FROM document_chunks_fts WHERE rowid = old.seq; END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE document_chunks_fts")
    op.drop_table("document_chunks")
    op.drop_table("documents")
