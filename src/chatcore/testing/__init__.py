"""The public contract harness: pytest classes that check an adapter against a port.

Subclass one, provide the fixture its docstring names, and pytest runs the whole
contract on your adapter::

    class TestMyBlobStore(BlobStoreContract):
        @pytest.fixture
        def blob_store(self, tmp_path):
            return MyBlobStore(tmp_path)

Needs the ``testing`` extra (pytest and pytest-asyncio, in auto mode). The suites
use only the ports and the domain types, never a chatcore adapter; the sample files
they feed extractors and image codecs are written with the standard library
(``chatcore.testing.files``).
"""

import pytest

# Before the suites are imported, so a failing assert shows its values.
pytest.register_assert_rewrite(
    *(
        f"chatcore.testing.{name}"
        for name in (
            "_identity_kit",
            "_identity_rows",
            "_support",
            "api_key_repository",
            "blob_store",
            "chat_model",
            "chunk_index",
            "dialog_repository",
            "document_repository",
            "embedder",
            "event_bus",
            "files",
            "identity_accounts",
            "identity_isolation",
            "identity_races",
            "identity_repositories",
            "identity_sign_in",
            "image_normalizer",
            "job_queue",
            "mailer",
            "password_hasher",
            "profile_repositories",
            "rate_limiter",
            "reply_repository",
            "tenant_repository",
            "text_extractor",
            "token_issuer",
            "usage_ledger",
        )
    )
)

from chatcore.testing.api_key_repository import ApiKeyRepositoryContract  # noqa: E402
from chatcore.testing.blob_store import BlobStoreContract  # noqa: E402
from chatcore.testing.chat_model import ChatModelContract  # noqa: E402
from chatcore.testing.chunk_index import ChunkIndexContract  # noqa: E402
from chatcore.testing.dialog_repository import DialogRepositoryContract  # noqa: E402
from chatcore.testing.document_repository import DocumentRepositoryContract  # noqa: E402
from chatcore.testing.document_storage import DocumentStorageContract  # noqa: E402
from chatcore.testing.embedder import EmbedderContract  # noqa: E402
from chatcore.testing.event_bus import EventBusContract, ObservableBus  # noqa: E402
from chatcore.testing.identity_repositories import IdentityRepositoriesContract  # noqa: E402
from chatcore.testing.image_normalizer import (  # noqa: E402
    ImageNormalizerContract,
    ImageSample,
    png_samples,
)
from chatcore.testing.job_queue import JobQueueContract  # noqa: E402
from chatcore.testing.mailer import Delivered, MailerContract, MailerUnderTest  # noqa: E402
from chatcore.testing.password_hasher import PasswordHasherContract  # noqa: E402
from chatcore.testing.profile_repositories import ProfileRepositoriesContract  # noqa: E402
from chatcore.testing.rate_limiter import RateLimiterContract  # noqa: E402
from chatcore.testing.reply_repository import ReplyRepositoryContract  # noqa: E402
from chatcore.testing.tenant_repository import TenantRepositoryContract  # noqa: E402
from chatcore.testing.text_extractor import (  # noqa: E402
    PagedTextExtractorContract,
    TextExtractorContract,
)
from chatcore.testing.token_issuer import TokenIssuerContract  # noqa: E402
from chatcore.testing.usage_ledger import UsageLedgerContract  # noqa: E402

__all__ = [
    "ApiKeyRepositoryContract",
    "BlobStoreContract",
    "ChatModelContract",
    "ChunkIndexContract",
    "Delivered",
    "DialogRepositoryContract",
    "DocumentRepositoryContract",
    "DocumentStorageContract",
    "EmbedderContract",
    "EventBusContract",
    "IdentityRepositoriesContract",
    "ImageNormalizerContract",
    "ImageSample",
    "JobQueueContract",
    "MailerContract",
    "MailerUnderTest",
    "ObservableBus",
    "PagedTextExtractorContract",
    "PasswordHasherContract",
    "ProfileRepositoriesContract",
    "RateLimiterContract",
    "ReplyRepositoryContract",
    "TenantRepositoryContract",
    "TextExtractorContract",
    "TokenIssuerContract",
    "UsageLedgerContract",
    "png_samples",
]
