"""What routes may reach: the core's use cases, wired on the adapters that the
composition root (``http_shell.container``) chose, and the few policies the shell
needs besides them. No adapter is named here, and none is reachable from a route.

Use cases are ``Factory`` providers: they are stateless, so building one per call
costs about 5 µs and means an adapter overridden at any time (tests, library users)
is the one used. The few that hold state across calls are ``Singleton``s, each with
the reason beside it.
"""

from __future__ import annotations

import hashlib
import hmac

from dependency_injector import containers, providers

from chatcore.dialogs.live import LiveReplies
from chatcore.dialogs.use_cases.abandoned import (
    SWEEP,
    AbandonedRepliesJob,
    FinishAbandonedReplies,
)
from chatcore.dialogs.use_cases.chat import ChatService, ChatSettings
from chatcore.dialogs.use_cases.completion import CompleteChat, ListModels
from chatcore.dialogs.use_cases.dialogs import (
    CreateDialog,
    DeleteDialog,
    GetDialog,
    ListDialogs,
    RenameDialog,
)
from chatcore.dialogs.use_cases.erasure import DialogEraser
from chatcore.dialogs.use_cases.replies import ResumeReply, StopReply
from chatcore.documents.use_cases.documents import (
    DeleteDocument,
    GetDocument,
    GetDocumentFile,
    ListDocuments,
)
from chatcore.documents.use_cases.erasure import DocumentEraser
from chatcore.documents.use_cases.ingestion import IngestDocument, IngestSettings
from chatcore.documents.use_cases.ingestion_jobs import (
    INGEST,
    REINDEX,
    IngestionJobs,
    QueueReindex,
    QueueUnfinishedIngestions,
    ReindexJobs,
)
from chatcore.documents.use_cases.leftovers import RemoveUnfinishedWrites
from chatcore.documents.use_cases.quota import MB, StorageQuotas
from chatcore.documents.use_cases.reindex import ReindexDocuments
from chatcore.documents.use_cases.search import (
    OFFLINE_VECTOR_WEIGHT,
    DocumentRetriever,
    SearchDocuments,
)
from chatcore.documents.use_cases.uploads import UploadDocument
from chatcore.events.use_cases import ListenForEvents
from chatcore.health import CheckDatabase
from chatcore.identity.policy import IdentityPolicy
from chatcore.identity.use_cases.accounts import DeleteAccount, GetAccount
from chatcore.identity.use_cases.api_keys import (
    AuthenticateApiKey,
    CreateApiKey,
    ListApiKeys,
    RevokeApiKey,
)
from chatcore.identity.use_cases.housekeeping import PurgeExpired
from chatcore.identity.use_cases.login import Login
from chatcore.identity.use_cases.otp import RequestOtp, VerifyOtp
from chatcore.identity.use_cases.registration import ConfirmEmail, Register
from chatcore.identity.use_cases.sessions import (
    CreateAnonymousSession,
    DeleteSession,
    Logout,
    ResolvePrincipal,
    SessionStarter,
)
from chatcore.jobs.model import JobPolicy
from chatcore.jobs.use_cases import JobWorker
from chatcore.kernel import TenantDefaults, UnfinishedWrites
from chatcore.pagination import CursorCodec
from chatcore.profile.model import ProfilePolicy
from chatcore.profile.use_cases.avatars import GetAvatarFile, RemoveAvatar, SetAvatar
from chatcore.profile.use_cases.erasure import ProfileEraser
from chatcore.profile.use_cases.profile import GetProfile, UpdateProfile
from chatcore.profile.use_cases.saved import DeleteSavedItem, ListSavedItems, SaveItem
from chatcore.tenants.use_cases import (
    CreateTenant,
    EnsureTenant,
    FindTenant,
    ListTenants,
    TenantDirectory,
    UpdateTenant,
)
from chatcore.usage.use_cases import AdmitChat, GetUsage, SettleChat, UsageEraser
from http_shell.client_address import TrustedProxies
from http_shell.housekeeping import PURGE, PeriodicPurge
from http_shell.settings import Settings


def identity_policy(settings: Settings) -> IdentityPolicy:
    """Identity's numbers, from settings."""
    return IdentityPolicy(
        session_ttl_minutes=settings.session_ttl_minutes,
        otp_ttl_seconds=settings.otp_ttl_seconds,
        otp_resend_seconds=settings.otp_resend_seconds,
        public_url=settings.public_url,
        anonymous_sessions_per_hour=settings.anonymous_sessions_per_hour,
    )


def derive_key(settings: Settings, purpose: str) -> bytes:
    """The key for one purpose (``otp codes``, ``page cursors``), derived from the
    secret key so that no two purposes, nor the secret itself, share bytes."""
    message = f"chatcore {purpose}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).digest()


def make_cursor_codec(settings: Settings) -> CursorCodec:
    """Page cursors signed with their own key: only this server's cursors are taken back."""
    return CursorCodec(derive_key(settings, "page cursors"))


def stores_with_unfinished_writes(*stores: object) -> list[UnfinishedWrites]:
    """The blob stores whose interrupted writes leave files to sweep; one of your own
    (``container.adapters.document_store.override(...)``) need not be one."""
    return [store for store in stores if isinstance(store, UnfinishedWrites)]


def upload_limit(settings: Settings) -> int:
    """The largest accepted upload, in bytes."""
    return settings.max_upload_mb * 1024 * 1024


def search_vector_weight(settings: Settings) -> float:
    """How much vectors weigh against keywords in search: the offline embedder's only
    nudge the keyword ranking; OpenAI's, semantic, weigh as much (the usual hybrid,
    which wins on paraphrased questions where keywords miss)."""
    return 1.0 if settings.embedder == "openai" else OFFLINE_VECTOR_WEIGHT


def make_storage_quotas(settings: Settings) -> StorageQuotas:
    """The storage quotas of principals whose tenant sets none, in bytes."""
    return StorageQuotas(
        user_bytes=settings.storage_quota_mb * MB,
        anonymous_bytes=settings.anonymous_storage_quota_mb * MB,
    )


def make_job_policy(settings: Settings) -> JobPolicy:
    """How this process works background jobs, from settings."""
    return JobPolicy(
        concurrency=settings.job_concurrency,
        lease_seconds=settings.job_lease_seconds,
        poll_seconds=settings.job_poll_seconds,
        max_attempts=settings.job_max_attempts,
    )


def make_profile_policy(settings: Settings) -> ProfilePolicy:
    """Avatars are served by this app, under its public URL."""
    return ProfilePolicy(avatar_url_prefix=f"{settings.public_url.rstrip('/')}/v1/avatars/")


class UseCases(containers.DeclarativeContainer):
    """The core's use cases on the chosen adapters, and the shell's policies."""

    adapters = providers.DependenciesContainer()
    settings = providers.Dependency(instance_of=Settings)

    # Policies: values computed once from settings.
    tenant_defaults = providers.Singleton(
        TenantDefaults,
        monthly_token_quota=settings.provided.monthly_token_quota,
        rate_limit_per_minute=settings.provided.rate_limit_per_minute,
    )
    identity_policy = providers.Singleton(identity_policy, settings)
    otp_key = providers.Singleton(derive_key, settings, "otp codes")
    api_key_secret = providers.Singleton(derive_key, settings, "api keys")
    cursor_codec = providers.Singleton(make_cursor_codec, settings)
    trusted_proxies = providers.Singleton(TrustedProxies, settings.provided.trusted_proxies)
    storage_quotas = providers.Singleton(make_storage_quotas, settings)
    profile_policy = providers.Singleton(make_profile_policy, settings)

    # Tenants
    create_tenant = providers.Factory(
        CreateTenant, adapters.uow, adapters.clock, adapters.ids, tenant_defaults
    )
    update_tenant = providers.Factory(UpdateTenant, adapters.uow)
    find_tenant = providers.Factory(FindTenant, adapters.uow)
    list_tenants = providers.Factory(ListTenants, adapters.uow)
    ensure_tenant = providers.Factory(EnsureTenant, find_tenant, create_tenant)
    # Holds the tenant cache that `forget` clears after an update: one per process.
    tenant_directory = providers.Singleton(TenantDirectory, find_tenant, adapters.clock)
    check_database = providers.Factory(CheckDatabase, adapters.database_probe)

    # Identity
    erasers = providers.List(
        providers.Factory(DialogEraser),
        providers.Factory(UsageEraser),
        providers.Factory(ProfileEraser, adapters.avatar_store),
        providers.Factory(DocumentEraser, adapters.document_store),
    )
    session_starter = providers.Factory(
        SessionStarter,
        adapters.clock,
        adapters.ids,
        adapters.token_issuer,
        identity_policy,
        erasers,
    )
    request_otp = providers.Factory(
        RequestOtp, adapters.uow, adapters.mailer, adapters.clock, identity_policy, otp_key
    )
    verify_otp = providers.Factory(
        VerifyOtp,
        adapters.uow,
        session_starter,
        adapters.clock,
        adapters.ids,
        identity_policy,
        otp_key,
    )
    register = providers.Factory(
        Register,
        adapters.uow,
        adapters.password_hasher,
        adapters.mailer,
        adapters.clock,
        adapters.ids,
        identity_policy,
    )
    confirm_email = providers.Factory(ConfirmEmail, adapters.uow, adapters.clock)
    login = providers.Factory(
        Login,
        adapters.uow,
        adapters.password_hasher,
        session_starter,
        adapters.clock,
        identity_policy,
    )
    create_anonymous_session = providers.Factory(
        CreateAnonymousSession, adapters.uow, session_starter, adapters.clock, identity_policy
    )
    authenticate_api_key = providers.Factory(
        AuthenticateApiKey, adapters.uow, adapters.clock, api_key_secret
    )
    resolve_principal = providers.Factory(
        ResolvePrincipal,
        adapters.uow,
        adapters.token_issuer,
        adapters.clock,
        identity_policy,
        api_keys=authenticate_api_key,
    )
    create_api_key = providers.Factory(
        CreateApiKey, adapters.uow, adapters.clock, adapters.ids, api_key_secret
    )
    list_api_keys = providers.Factory(ListApiKeys, adapters.uow, adapters.clock)
    revoke_api_key = providers.Factory(RevokeApiKey, adapters.uow)
    logout = providers.Factory(Logout, adapters.uow, erasers)
    delete_session = providers.Factory(DeleteSession, adapters.uow, erasers)
    delete_account = providers.Factory(DeleteAccount, adapters.uow, erasers)
    get_account = providers.Factory(GetAccount, adapters.uow)
    remove_unfinished_writes = providers.Factory(
        RemoveUnfinishedWrites,
        providers.Callable(
            stores_with_unfinished_writes, adapters.avatar_store, adapters.document_store
        ),
        adapters.clock,
    )
    purge_expired = providers.Factory(
        PurgeExpired,
        adapters.uow,
        adapters.clock,
        erasers,
        remove_unfinished_writes=remove_unfinished_writes,
    )

    # Documents and search (their ingestion tells its owner through the event bus)
    ingest_document = providers.Factory(
        IngestDocument,
        adapters.uow,
        adapters.document_store,
        adapters.text_extractors,
        adapters.embedder,
        adapters.event_bus,
        adapters.clock,
        adapters.ids,
        providers.Factory(IngestSettings, max_chars=settings.provided.max_document_chars),
        storage_quotas,
    )
    reindex_documents = providers.Factory(ReindexDocuments, adapters.uow, adapters.embedder)
    queue_reindex = providers.Factory(QueueReindex, adapters.uow, adapters.clock)
    queue_unfinished_ingestions = providers.Factory(
        QueueUnfinishedIngestions, adapters.uow, adapters.clock
    )

    # Chat's settlement, and the sweep of replies whose process died (a periodic job).
    settle_chat = providers.Factory(
        SettleChat, adapters.uow, adapters.ids, tenant_defaults, adapters.event_bus
    )
    finish_abandoned_replies = providers.Factory(
        FinishAbandonedReplies, adapters.uow, settle_chat, adapters.clock
    )

    # Background jobs: what runs each kind, and this process's worker.
    abandoned_replies_job = providers.Factory(
        AbandonedRepliesJob, finish_abandoned_replies, adapters.clock
    )
    periodic_purge = providers.Factory(
        PeriodicPurge, purge_expired, adapters.clock, settings.provided.purge_interval_minutes
    )
    job_handlers = providers.Dict(
        {
            INGEST: providers.Factory(
                IngestionJobs, adapters.uow, ingest_document, adapters.ingestion_meter
            ),
            REINDEX: providers.Factory(ReindexJobs, reindex_documents),
            PURGE: periodic_purge,
            SWEEP: abandoned_replies_job,
        }
    )
    # Owns the jobs this process runs and their leases, which stop() hands back: one
    # per process.
    job_worker = providers.Singleton(
        JobWorker,
        adapters.uow,
        adapters.clock,
        adapters.job_tracing.provided.call(job_handlers),
        providers.Singleton(make_job_policy, settings),
    )
    upload_document = providers.Factory(
        UploadDocument,
        adapters.uow,
        adapters.document_store,
        job_worker,
        adapters.clock,
        adapters.ids,
        providers.Callable(upload_limit, settings),
        storage_quotas,
    )
    list_documents = providers.Factory(ListDocuments, adapters.uow)
    get_document = providers.Factory(GetDocument, adapters.uow)
    get_document_file = providers.Factory(GetDocumentFile, get_document, adapters.document_store)
    delete_document = providers.Factory(DeleteDocument, adapters.uow, adapters.document_store)
    search_documents = providers.Factory(
        SearchDocuments,
        adapters.uow,
        adapters.embedder,
        providers.Callable(search_vector_weight, settings),
    )

    # Dialogs and chat: a dialog's chat and a stateless completion are admitted, fed
    # from documents and settled alike.
    admit_chat = providers.Factory(AdmitChat, adapters.clock, adapters.ids, tenant_defaults)
    settle_chat = providers.Factory(
        SettleChat, adapters.uow, adapters.ids, tenant_defaults, adapters.event_bus
    )
    document_retriever = providers.Factory(DocumentRetriever, search_documents)
    # Owns the replies this process writes (resumed, stopped, stored as they grow, let
    # finish by stop()): one per process.
    live_replies = providers.Singleton(LiveReplies, adapters.uow, adapters.clock)
    chat_service = providers.Factory(
        ChatService,
        adapters.uow,
        adapters.chat_model,
        adapters.prompts,
        settle_chat,
        adapters.clock,
        adapters.ids,
        live_replies,
        providers.Factory(
            ChatSettings, cancel_on_disconnect=settings.provided.cancel_on_disconnect
        ),
        admission=admit_chat,
        retriever=document_retriever,
    )
    resume_reply = providers.Factory(ResumeReply, adapters.uow, live_replies)
    stop_reply = providers.Factory(StopReply, adapters.uow, live_replies)
    # Owns the usage records being written, which stop() waits for: one per process.
    complete_chat = providers.Singleton(
        CompleteChat,
        adapters.chat_model,
        adapters.prompts,
        settle_chat,
        adapters.clock,
        adapters.ids,
        adapters.uow,
        ChatSettings(),
        admission=admit_chat,
        retriever=document_retriever,
    )
    list_models = providers.Factory(ListModels)
    get_usage = providers.Factory(GetUsage, adapters.uow, adapters.clock, tenant_defaults)
    create_dialog = providers.Factory(CreateDialog, adapters.uow, adapters.clock, adapters.ids)
    list_dialogs = providers.Factory(ListDialogs, adapters.uow)
    get_dialog = providers.Factory(GetDialog, adapters.uow)
    rename_dialog = providers.Factory(RenameDialog, adapters.uow, adapters.clock)
    delete_dialog = providers.Factory(DeleteDialog, adapters.uow)

    # Profile, saved items, notifications
    listen_for_events = providers.Factory(ListenForEvents, adapters.event_bus)
    get_profile = providers.Factory(GetProfile, adapters.uow, profile_policy)
    update_profile = providers.Factory(UpdateProfile, adapters.uow, adapters.clock, profile_policy)
    set_avatar = providers.Factory(
        SetAvatar,
        adapters.uow,
        adapters.avatar_store,
        adapters.image_normalizer,
        adapters.event_bus,
        adapters.clock,
        adapters.ids,
        profile_policy,
    )
    remove_avatar = providers.Factory(
        RemoveAvatar, adapters.uow, adapters.avatar_store, adapters.event_bus, adapters.clock
    )
    get_avatar_file = providers.Factory(GetAvatarFile, adapters.avatar_store)
    save_item = providers.Factory(SaveItem, adapters.uow, adapters.clock, adapters.ids)
    list_saved_items = providers.Factory(ListSavedItems, adapters.uow)
    delete_saved_item = providers.Factory(DeleteSavedItem, adapters.uow)
