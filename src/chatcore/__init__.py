"""chatcore: the backend of an AI chat product, as a library.

The top level holds what a caller of the system handles: the errors, the ids, the
events a chat streams and the notifications a principal receives, the values a chat
takes and returns, and the ports the README and ``examples/`` plug their own adapters
into (``ChatModel``, ``BlobStore``, ``TextExtractor``). Everything else is exported by
its context: ``chatcore.<context>`` has the context's model and ports,
``chatcore.<context>.use_cases`` its use cases (contexts: ``tenants``, ``identity``,
``dialogs``, ``documents``, ``profile``, ``usage``, ``events``); the shared kernel is
``chatcore.kernel`` and the unit of work ``chatcore.unit_of_work``.

The core depends on the standard library and msgspec only; adapters and the
composition root live outside it (``http_shell.container.chatcore_system`` builds the
whole system). Contract suites for adapters are in ``chatcore.testing`` (not
imported here).
"""

from chatcore.dialogs import (
    ChatEvent,
    ChatModel,
    CitationItem,
    Citations,
    Completion,
    Delta,
    Dialog,
    Done,
    Error,
    FinishReason,
    Message,
    MessageId,
    Meta,
    ModelError,
    ModelEvent,
    ModelRequest,
    Passage,
    TextDelta,
    Turn,
    Usage,
)
from chatcore.dialogs.use_cases import ChatRequest
from chatcore.documents import (
    ChunkId,
    Document,
    DocumentId,
    ExtractionFailed,
    PageText,
    TextExtractor,
    TextTooLong,
)
from chatcore.errors import (
    AdminRequired,
    AuthMethodDisabled,
    ChatcoreError,
    Conflict,
    CsrfRejected,
    EmailNotConfirmed,
    FileTooLarge,
    Forbidden,
    InvalidCredentials,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    OtpExpired,
    OtpInvalid,
    QuotaExceeded,
    RateLimited,
    StorageQuotaExceeded,
    TenantMismatch,
    TenantNotFound,
    TokenInvalid,
    Unavailable,
    UnsupportedMediaType,
)
from chatcore.events import (
    AvatarChanged,
    DocumentFailed,
    DocumentReady,
    Event,
    Notification,
    QuotaWarning,
)
from chatcore.identity import Credential, Principal, PrincipalKind, SessionId
from chatcore.kernel import BlobStore, DialogId, StoredBlob, TenantId, UserId
from chatcore.pagination import Page, PageRequest
from chatcore.profile import SavedItemId
from chatcore.tenants import Tenant

__all__ = [
    "AdminRequired",
    "AuthMethodDisabled",
    "AvatarChanged",
    "BlobStore",
    "ChatEvent",
    "ChatModel",
    "ChatRequest",
    "ChatcoreError",
    "ChunkId",
    "CitationItem",
    "Citations",
    "Completion",
    "Conflict",
    "Credential",
    "CsrfRejected",
    "Delta",
    "Dialog",
    "DialogId",
    "Document",
    "DocumentFailed",
    "DocumentId",
    "DocumentReady",
    "Done",
    "EmailNotConfirmed",
    "Error",
    "Event",
    "ExtractionFailed",
    "FileTooLarge",
    "FinishReason",
    "Forbidden",
    "InvalidCredentials",
    "InvalidInput",
    "Message",
    "MessageId",
    "Meta",
    "ModelError",
    "ModelEvent",
    "ModelRequest",
    "NotAuthenticated",
    "NotFound",
    "Notification",
    "OtpExpired",
    "OtpInvalid",
    "Page",
    "PageRequest",
    "PageText",
    "Passage",
    "Principal",
    "PrincipalKind",
    "QuotaExceeded",
    "QuotaWarning",
    "RateLimited",
    "SavedItemId",
    "SessionId",
    "StorageQuotaExceeded",
    "StoredBlob",
    "Tenant",
    "TenantId",
    "TenantMismatch",
    "TenantNotFound",
    "TextDelta",
    "TextExtractor",
    "TextTooLong",
    "TokenInvalid",
    "Turn",
    "Unavailable",
    "UnsupportedMediaType",
    "Usage",
    "UserId",
]
