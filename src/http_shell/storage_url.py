"""``CHATCORE_STORAGE_URL``: where uploaded files and avatars are kept.

``file:PATH`` (the default, ``file:./data/files``) for one machine's disk;
``database`` for the configured database, so that several machines that share it
need nothing else; ``s3://bucket/prefix`` for any S3-compatible store.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import msgspec


class FileStorage(msgspec.Struct, frozen=True):
    """A folder on this machine's disk."""

    path: str


class DatabaseStorage(msgspec.Struct, frozen=True):
    """The configured database's own tables."""


class S3Storage(msgspec.Struct, frozen=True):
    """A bucket, and a prefix inside it (may be empty)."""

    bucket: str
    prefix: str


Storage = FileStorage | DatabaseStorage | S3Storage


def parse_storage_url(url: str) -> Storage:
    """The storage ``url`` names; ValueError saying what is wrong with it."""
    if url == "database":
        return DatabaseStorage()
    if url.startswith("file:"):
        path = url.removeprefix("file:")
        # file:///srv/files is the absolute path /srv/files, as in a browser.
        path = path.removeprefix("//") if path.startswith("///") else path
        if not path:
            raise ValueError("file: needs a folder, e.g. file:./data/files")
        return FileStorage(path)
    if url.startswith("s3://"):
        parts = urlsplit(url)
        if not parts.netloc or parts.query or parts.fragment or "@" in parts.netloc:
            raise ValueError("use s3://bucket/prefix (credentials go in AWS_* variables)")
        return S3Storage(parts.netloc, parts.path.strip("/"))
    raise ValueError("use file:PATH, database, or s3://bucket/prefix")
