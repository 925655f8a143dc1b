"""Blob stores: files of uploaded documents."""

from adapters.storage.local import LocalFileBlobStore

__all__ = ["LocalFileBlobStore"]
