"""Blob stores: files of uploaded documents and avatars, on disk or in S3 (the
database's own is with the SQL adapters, ``adapters.sql.blobs``)."""

from adapters.storage.local import LocalFileBlobStore
from adapters.storage.s3 import S3BlobStore

__all__ = ["LocalFileBlobStore", "S3BlobStore"]
