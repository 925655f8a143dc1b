"""chatcore: the backend of an AI chat product, as a library.

Everything a caller needs is importable from here: the domain types, the ports an
adapter implements, the use cases and the errors they raise. The core depends on
the standard library and msgspec only; adapters and the composition root live
outside it (``http_shell.container.chatcore_system`` builds the whole system).
Contract suites for adapters are in ``chatcore.testing`` (not imported here).
"""

from chatcore.admission import ChatAdmission
from chatcore.dialogs.erasure import DialogEraser
from chatcore.dialogs.events import (
    ChatEvent,
    CitationItem,
    Citations,
    Delta,
    Done,
    Error,
    Meta,
    Usage,
)
from chatcore.dialogs.model import Dialog, DialogId, Message, MessageId, MessageRole
from chatcore.dialogs.model_port import (
    ChatModel,
    Completion,
    FinishReason,
    ModelError,
    ModelEvent,
    ModelRequest,
    Passage,
    TextDelta,
    Turn,
)
from chatcore.dialogs.ports import (
    DialogRepository,
    MessageRepository,
    PromptSource,
    RetrievedPassage,
    Retriever,
    UsageRecord,
    UsageRecorder,
)
from chatcore.dialogs.service import ChatRequest, ChatService, ChatSettings
from chatcore.dialogs.stream import ChatStream
from chatcore.dialogs.tokens import estimate_tokens
from chatcore.dialogs.use_cases import (
    CreateDialog,
    DeleteDialog,
    DialogDetail,
    GetDialog,
    ListDialogs,
    RenameDialog,
)
from chatcore.documents.erasure import DocumentEraser
from chatcore.documents.ingestion import IngestDocument, IngestSettings
from chatcore.documents.model import (
    MARKDOWN,
    PDF,
    PLAIN_TEXT,
    Chunk,
    ChunkHit,
    ChunkId,
    Document,
    DocumentId,
    DocumentStatus,
    ExtractionFailed,
    IngestFailure,
    IngestOutcome,
    PageText,
    StoredBlob,
    TextTooLong,
    Vector,
)
from chatcore.documents.ports import (
    BlobStore,
    ChunkIndex,
    DocumentRepository,
    Embedder,
    IngestionMeter,
    IngestionScheduler,
    TextExtractor,
)
from chatcore.documents.quota import StorageQuotas
from chatcore.documents.reindex import ReindexDocuments
from chatcore.documents.search import DocumentRetriever, SearchDocuments
from chatcore.documents.uploads import Upload, UploadDocument
from chatcore.documents.use_cases import DeleteDocument, GetDocument, GetDocumentFile, ListDocuments
from chatcore.documents.worker import DocumentWorker
from chatcore.erasure import OwnedDataEraser
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
from chatcore.events.listening import ListenForEvents
from chatcore.events.model import (
    AvatarChanged,
    DocumentFailed,
    DocumentReady,
    Event,
    Notification,
    QuotaWarning,
)
from chatcore.events.ports import EventBus, Subscription
from chatcore.health import CheckDatabase, DatabaseProbe, DatabaseStatus
from chatcore.identity.accounts import DeleteAccount, GetAccount
from chatcore.identity.credentials import (
    AccessClaims,
    Mailer,
    MailMessage,
    PasswordHasher,
    TokenIssuer,
)
from chatcore.identity.erasing import IdentityEraser
from chatcore.identity.housekeeping import PurgeExpired, PurgeReport
from chatcore.identity.login import Login
from chatcore.identity.model import (
    AuthThrottle,
    Credential,
    EmailConfirmation,
    OtpChallenge,
    Session,
    SessionId,
    ThrottleScope,
    User,
    UserId,
)
from chatcore.identity.otp import RequestOtp, VerifyOtp
from chatcore.identity.policy import IdentityPolicy
from chatcore.identity.ports import (
    AuthThrottleRepository,
    EmailConfirmationRepository,
    OtpChallengeRepository,
    SessionRepository,
    UserRepository,
)
from chatcore.identity.principal import Principal, PrincipalKind
from chatcore.identity.registration import ConfirmEmail, Register
from chatcore.identity.sessions import (
    CreateAnonymousSession,
    DeleteSession,
    Logout,
    ResolvePrincipal,
    SessionStarter,
)
from chatcore.kernel import Clock, IdFactory, RandomIdFactory, SystemClock
from chatcore.pagination import CursorCodec, Page, PageRequest, Position, page_of
from chatcore.profile.avatars import AvatarFile, GetAvatarFile, RemoveAvatar, SetAvatar
from chatcore.profile.erasure import ProfileEraser
from chatcore.profile.model import (
    Profile,
    ProfileChanges,
    ProfilePolicy,
    ProfileView,
    SavedItem,
    SavedItemId,
)
from chatcore.profile.ports import (
    ImageKind,
    ImageNormalizer,
    NormalizedImage,
    ProfileRepository,
    SavedItemRepository,
)
from chatcore.profile.saved import DeleteSavedItem, ListSavedItems, SaveItem
from chatcore.profile.use_cases import GetProfile, UpdateProfile
from chatcore.tenants.directory import TenantDirectory
from chatcore.tenants.model import AuthMethod, Tenant, TenantId, TenantSettings
from chatcore.tenants.ports import TenantRepository
from chatcore.tenants.use_cases import (
    CreateTenant,
    EnsureTenant,
    FindTenant,
    ListTenants,
    TenantDefaults,
    UpdateTenant,
)
from chatcore.unit_of_work import UnitOfWork, UnitOfWorkFactory
from chatcore.usage.erasure import UsageEraser
from chatcore.usage.model import Period, Reservation, UsageEntry, UsageTotals
from chatcore.usage.ports import RateLimiter, UsageLedger
from chatcore.usage.use_cases import AdmitChat, GetUsage, SettleChat, UsageLimits, UsageReport

__all__ = [
    "MARKDOWN",
    "PDF",
    "PLAIN_TEXT",
    "AccessClaims",
    "AdminRequired",
    "AdmitChat",
    "AuthMethod",
    "AuthMethodDisabled",
    "AuthThrottle",
    "AuthThrottleRepository",
    "AvatarChanged",
    "AvatarFile",
    "BlobStore",
    "ChatAdmission",
    "ChatEvent",
    "ChatModel",
    "ChatRequest",
    "ChatService",
    "ChatSettings",
    "ChatStream",
    "ChatcoreError",
    "CheckDatabase",
    "Chunk",
    "ChunkHit",
    "ChunkId",
    "ChunkIndex",
    "CitationItem",
    "Citations",
    "Clock",
    "Completion",
    "ConfirmEmail",
    "Conflict",
    "CreateAnonymousSession",
    "CreateDialog",
    "CreateTenant",
    "Credential",
    "CsrfRejected",
    "CursorCodec",
    "DatabaseProbe",
    "DatabaseStatus",
    "DeleteAccount",
    "DeleteDialog",
    "DeleteDocument",
    "DeleteSavedItem",
    "DeleteSession",
    "Delta",
    "Dialog",
    "DialogDetail",
    "DialogEraser",
    "DialogId",
    "DialogRepository",
    "Document",
    "DocumentEraser",
    "DocumentFailed",
    "DocumentId",
    "DocumentReady",
    "DocumentRepository",
    "DocumentRetriever",
    "DocumentStatus",
    "DocumentWorker",
    "Done",
    "EmailConfirmation",
    "EmailConfirmationRepository",
    "EmailNotConfirmed",
    "Embedder",
    "EnsureTenant",
    "Error",
    "Event",
    "EventBus",
    "ExtractionFailed",
    "FileTooLarge",
    "FindTenant",
    "FinishReason",
    "Forbidden",
    "GetAccount",
    "GetAvatarFile",
    "GetDialog",
    "GetDocument",
    "GetDocumentFile",
    "GetProfile",
    "GetUsage",
    "IdFactory",
    "IdentityEraser",
    "IdentityPolicy",
    "ImageKind",
    "ImageNormalizer",
    "IngestDocument",
    "IngestFailure",
    "IngestOutcome",
    "IngestSettings",
    "IngestionMeter",
    "IngestionScheduler",
    "InvalidCredentials",
    "InvalidInput",
    "ListDialogs",
    "ListDocuments",
    "ListSavedItems",
    "ListTenants",
    "ListenForEvents",
    "Login",
    "Logout",
    "MailMessage",
    "Mailer",
    "Message",
    "MessageId",
    "MessageRepository",
    "MessageRole",
    "Meta",
    "ModelError",
    "ModelEvent",
    "ModelRequest",
    "NormalizedImage",
    "NotAuthenticated",
    "NotFound",
    "Notification",
    "OtpChallenge",
    "OtpChallengeRepository",
    "OtpExpired",
    "OtpInvalid",
    "OwnedDataEraser",
    "Page",
    "PageRequest",
    "PageText",
    "Passage",
    "PasswordHasher",
    "Period",
    "Position",
    "Principal",
    "PrincipalKind",
    "Profile",
    "ProfileChanges",
    "ProfileEraser",
    "ProfilePolicy",
    "ProfileRepository",
    "ProfileView",
    "PromptSource",
    "PurgeExpired",
    "PurgeReport",
    "QuotaExceeded",
    "QuotaWarning",
    "RandomIdFactory",
    "RateLimited",
    "RateLimiter",
    "Register",
    "ReindexDocuments",
    "RemoveAvatar",
    "RenameDialog",
    "RequestOtp",
    "Reservation",
    "ResolvePrincipal",
    "RetrievedPassage",
    "Retriever",
    "SaveItem",
    "SavedItem",
    "SavedItemId",
    "SavedItemRepository",
    "SearchDocuments",
    "Session",
    "SessionId",
    "SessionRepository",
    "SessionStarter",
    "SetAvatar",
    "SettleChat",
    "StorageQuotaExceeded",
    "StorageQuotas",
    "StoredBlob",
    "Subscription",
    "SystemClock",
    "Tenant",
    "TenantDefaults",
    "TenantDirectory",
    "TenantId",
    "TenantMismatch",
    "TenantNotFound",
    "TenantRepository",
    "TenantSettings",
    "TextDelta",
    "TextExtractor",
    "TextTooLong",
    "ThrottleScope",
    "TokenInvalid",
    "TokenIssuer",
    "Turn",
    "Unavailable",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UnsupportedMediaType",
    "UpdateProfile",
    "UpdateTenant",
    "Upload",
    "UploadDocument",
    "Usage",
    "UsageEntry",
    "UsageEraser",
    "UsageLedger",
    "UsageLimits",
    "UsageRecord",
    "UsageRecorder",
    "UsageReport",
    "UsageTotals",
    "User",
    "UserId",
    "UserRepository",
    "Vector",
    "VerifyOtp",
    "estimate_tokens",
    "page_of",
]
