"""CHATCORE_STORAGE_URL: each kind of storage, the older CHATCORE_STORAGE_DIR, and one
clear line for a URL chatcore cannot use."""

from __future__ import annotations

import pytest

from http_shell.settings import SettingsError, load_settings
from http_shell.storage_url import DatabaseStorage, FileStorage, S3Storage


def storage_of(**variables: str) -> object:
    return load_settings(variables, env_file=None).storage


def test_files_are_kept_in_the_data_folder_by_default_or_the_storage_dir() -> None:
    assert storage_of() == FileStorage("./data/files")
    assert storage_of(CHATCORE_STORAGE_DIR="/srv/files") == FileStorage("/srv/files")


@pytest.mark.parametrize(
    ("url", "storage"),
    [
        ("file:./files", FileStorage("./files")),
        ("file:/srv/files", FileStorage("/srv/files")),
        ("file:///srv/files", FileStorage("/srv/files")),
        ("database", DatabaseStorage()),
        ("s3://bucket", S3Storage("bucket", "")),
        ("s3://bucket/chat/files/", S3Storage("bucket", "chat/files")),
    ],
)
def test_the_storage_url_names_one_storage(url: str, storage: object) -> None:
    assert storage_of(CHATCORE_STORAGE_URL=url, CHATCORE_STORAGE_DIR="/ignored") == storage


def test_s3_settings_are_read() -> None:
    settings = load_settings(
        {"CHATCORE_S3_ENDPOINT_URL": "http://127.0.0.1:9000", "CHATCORE_S3_REGION": "eu-west-1"},
        env_file=None,
    )
    assert (settings.s3_endpoint_url, settings.s3_region) == ("http://127.0.0.1:9000", "eu-west-1")


@pytest.mark.parametrize(
    "url",
    ["ftp://host/files", "file:", "s3://", "s3://key:secret@bucket/p", "s3://b/p?x=1", "db"],
)
def test_a_storage_url_chatcore_cannot_use_stops_start_up(url: str) -> None:
    with pytest.raises(SettingsError, match="CHATCORE_STORAGE_URL"):
        storage_of(CHATCORE_STORAGE_URL=url)
