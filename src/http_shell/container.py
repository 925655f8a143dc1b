"""The composition root: the one place that picks adapters and wires use cases.

It needs no web framework: another Python service builds it from settings and
calls the use cases directly (see ``chatcore_system``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from dependency_injector import containers, providers
from sqlalchemy.engine import make_url

from adapters.embed import LocalEmbedder, OpenAIEmbedder
from adapters.events import InProcessEventBus, PostgresEventBus
from adapters.extract import PlainTextExtractor, PypdfTextExtractor
from adapters.images import PillowImageNormalizer
from adapters.llm import LocalChatModel, OpenAIChatModel
from adapters.mail import ConsoleMailer, MaildirMailer, SmtpMailer
from adapters.prompts import FilePromptSource
from adapters.security.argon2 import Argon2PasswordHasher
from adapters.security.jwt import JwtTokenIssuer
from adapters.sql.engine import create_engine
from adapters.sql.health import SqlDatabaseProbe
from adapters.sql.migrate import migrate
from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from adapters.storage import LocalFileBlobStore
from chatcore.dialogs.ports import ChatModel
from chatcore.dialogs.use_cases.chat import ChatService, ChatSettings
from chatcore.dialogs.use_cases.dialogs import (
    CreateDialog,
    DeleteDialog,
    GetDialog,
    ListDialogs,
    RenameDialog,
)
from chatcore.dialogs.use_cases.erasure import DialogEraser
from chatcore.documents.model import MARKDOWN, PDF, PLAIN_TEXT
from chatcore.documents.ports import Embedder, TextExtractor
from chatcore.documents.use_cases.documents import (
    DeleteDocument,
    GetDocument,
    GetDocumentFile,
    ListDocuments,
)
from chatcore.documents.use_cases.erasure import DocumentEraser
from chatcore.documents.use_cases.ingestion import IngestDocument, IngestSettings
from chatcore.documents.use_cases.leftovers import RemoveUnfinishedWrites
from chatcore.documents.use_cases.quota import MB, StorageQuotas
from chatcore.documents.use_cases.reindex import ReindexDocuments
from chatcore.documents.use_cases.search import DocumentRetriever, SearchDocuments
from chatcore.documents.use_cases.uploads import UploadDocument
from chatcore.documents.use_cases.worker import DocumentWorker
from chatcore.events.use_cases import ListenForEvents
from chatcore.health import CheckDatabase
from chatcore.identity.policy import IdentityPolicy
from chatcore.identity.ports import Mailer
from chatcore.identity.use_cases.accounts import DeleteAccount, GetAccount
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
from chatcore.kernel import RandomIdFactory, SystemClock, TenantDefaults, UnfinishedWrites
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
from http_shell.settings import Settings, ensure_secret_key

log = logging.getLogger("chatcore.housekeeping")


def make_mailer(settings: Settings) -> Mailer:
    """SMTP when a host is configured; else a Maildir folder when one is; else the log."""
    if not settings.smtp_host:
        if settings.mail_dir:
            return MaildirMailer(settings.mail_dir, sender=settings.smtp_from)
        return ConsoleMailer()
    implicit_tls = settings.smtp_port == 465
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_user,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls and not implicit_tls,
        use_tls=implicit_tls,
    )


def make_chat_model(settings: Settings) -> ChatModel:
    """The configured language model; the offline one by default."""
    if settings.llm_provider == "openai":
        return OpenAIChatModel(
            api_key=settings.openai_api_key or "unused",  # compatible servers may need none
            model=settings.openai_model,
            base_url=settings.openai_base_url,
            max_connections=settings.llm_max_connections,
        )
    if settings.llm_provider == "deepseek":
        return OpenAIChatModel.for_deepseek(
            api_key=settings.deepseek_api_key or "",
            model=settings.deepseek_model,
            max_connections=settings.llm_max_connections,
        )
    return LocalChatModel(words_per_second=settings.local_model_wps)


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


def make_event_bus(settings: Settings) -> InProcessEventBus | PostgresEventBus:
    """Postgres LISTEN/NOTIFY whenever the database is Postgres, so that an event
    reaches sockets held by every server process; else this process's own bus."""
    if settings.backend != "postgresql":
        return InProcessEventBus()
    dsn = make_url(settings.database_url).set(drivername="postgresql")
    return PostgresEventBus(dsn.render_as_string(hide_password=False))


def make_avatar_store(settings: Settings) -> LocalFileBlobStore:
    """Avatar files, apart from documents' files."""
    return LocalFileBlobStore(Path(settings.storage_dir) / "avatars")


def make_document_store(settings: Settings) -> LocalFileBlobStore:
    """Uploaded documents' files, apart from avatars."""
    return LocalFileBlobStore(Path(settings.storage_dir) / "documents")


def stores_with_unfinished_writes(*stores: object) -> list[UnfinishedWrites]:
    """The blob stores whose interrupted writes leave files to sweep; one of your own
    (``container.document_store.override(...)``) need not be one."""
    return [store for store in stores if isinstance(store, UnfinishedWrites)]


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder; the offline one by default."""
    if settings.embedder == "openai":
        return OpenAIEmbedder(
            api_key=settings.openai_api_key or "unused", base_url=settings.openai_base_url
        )
    return LocalEmbedder()


def make_text_extractors() -> dict[str, TextExtractor]:
    """A text extractor for every accepted content type."""
    text = PlainTextExtractor()
    return {PDF: PypdfTextExtractor(), PLAIN_TEXT: text, MARKDOWN: text}


def upload_limit(settings: Settings) -> int:
    """The largest accepted upload, in bytes."""
    return settings.max_upload_mb * 1024 * 1024


def make_storage_quotas(settings: Settings) -> StorageQuotas:
    """The storage quotas of principals whose tenant sets none, in bytes."""
    return StorageQuotas(
        user_bytes=settings.storage_quota_mb * MB,
        anonymous_bytes=settings.anonymous_storage_quota_mb * MB,
    )


def make_profile_policy(settings: Settings) -> ProfilePolicy:
    """Avatars are served by this app, under its public URL."""
    return ProfilePolicy(avatar_url_prefix=f"{settings.public_url.rstrip('/')}/v1/avatars/")


class Container(containers.DeclarativeContainer):
    """Adapters as singletons, use cases built on them."""

    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(RandomIdFactory)

    engine = providers.Singleton(
        create_engine,
        settings.provided.database_url,
        pool_size=settings.provided.db_pool_size,
        max_overflow=settings.provided.db_max_overflow,
    )
    uow = providers.Singleton(SqlUnitOfWorkFactory, engine)
    database_probe = providers.Singleton(SqlDatabaseProbe, engine)

    tenant_defaults = providers.Singleton(
        TenantDefaults,
        monthly_token_quota=settings.provided.monthly_token_quota,
        rate_limit_per_minute=settings.provided.rate_limit_per_minute,
    )
    create_tenant = providers.Singleton(CreateTenant, uow, clock, ids, tenant_defaults)
    update_tenant = providers.Singleton(UpdateTenant, uow)
    find_tenant = providers.Singleton(FindTenant, uow)
    list_tenants = providers.Singleton(ListTenants, uow)
    ensure_tenant = providers.Singleton(EnsureTenant, find_tenant, create_tenant)
    tenant_directory = providers.Singleton(TenantDirectory, find_tenant, clock)

    check_database = providers.Singleton(CheckDatabase, database_probe)
    cursor_codec = providers.Singleton(make_cursor_codec, settings)

    # Identity
    policy = providers.Singleton(identity_policy, settings)
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    token_issuer = providers.Singleton(JwtTokenIssuer, settings.provided.secret_key)
    mailer = providers.Singleton(make_mailer, settings)
    otp_key = providers.Singleton(derive_key, settings, "otp codes")
    avatar_store = providers.Singleton(make_avatar_store, settings)
    document_store = providers.Singleton(make_document_store, settings)
    erasers = providers.List(
        providers.Singleton(DialogEraser),
        providers.Singleton(UsageEraser),
        providers.Singleton(ProfileEraser, avatar_store),
        providers.Singleton(DocumentEraser, document_store),
    )
    session_starter = providers.Singleton(SessionStarter, clock, ids, token_issuer, policy, erasers)
    request_otp = providers.Singleton(RequestOtp, uow, mailer, clock, policy, otp_key)
    verify_otp = providers.Singleton(VerifyOtp, uow, session_starter, clock, ids, policy, otp_key)
    register = providers.Singleton(Register, uow, password_hasher, mailer, clock, ids, policy)
    confirm_email = providers.Singleton(ConfirmEmail, uow, clock)
    login = providers.Singleton(Login, uow, password_hasher, session_starter, clock, policy)
    create_anonymous_session = providers.Singleton(
        CreateAnonymousSession, uow, session_starter, clock, policy
    )
    trusted_proxies = providers.Singleton(TrustedProxies, settings.provided.trusted_proxies)
    resolve_principal = providers.Singleton(ResolvePrincipal, uow, token_issuer, clock, policy)
    logout = providers.Singleton(Logout, uow, erasers)
    delete_session = providers.Singleton(DeleteSession, uow, erasers)
    delete_account = providers.Singleton(DeleteAccount, uow, erasers)
    get_account = providers.Singleton(GetAccount, uow)
    remove_unfinished_writes = providers.Singleton(
        RemoveUnfinishedWrites,
        providers.Callable(stores_with_unfinished_writes, avatar_store, document_store),
        clock,
    )
    purge_expired = providers.Singleton(
        PurgeExpired, uow, clock, erasers, remove_unfinished_writes=remove_unfinished_writes
    )

    # Documents and search (their ingestion tells its owner through the event bus)
    event_bus = providers.Singleton(make_event_bus, settings)
    embedder = providers.Singleton(make_embedder, settings)
    text_extractors = providers.Singleton(make_text_extractors)
    storage_quotas = providers.Singleton(make_storage_quotas, settings)
    ingest_document = providers.Singleton(
        IngestDocument,
        uow,
        document_store,
        text_extractors,
        embedder,
        event_bus,
        clock,
        ids,
        providers.Singleton(IngestSettings, max_chars=settings.provided.max_document_chars),
        storage_quotas,
    )
    document_worker = providers.Singleton(DocumentWorker, uow, ingest_document)
    upload_document = providers.Singleton(
        UploadDocument,
        uow,
        document_store,
        document_worker,
        clock,
        ids,
        providers.Callable(upload_limit, settings),
        storage_quotas,
    )
    list_documents = providers.Singleton(ListDocuments, uow)
    get_document = providers.Singleton(GetDocument, uow)
    get_document_file = providers.Singleton(GetDocumentFile, get_document, document_store)
    delete_document = providers.Singleton(DeleteDocument, uow, document_store)
    search_documents = providers.Singleton(SearchDocuments, uow, embedder)
    document_retriever = providers.Singleton(DocumentRetriever, search_documents)
    reindex_documents = providers.Singleton(ReindexDocuments, uow, embedder)

    # Dialogs and chat
    chat_model = providers.Singleton(make_chat_model, settings)
    prompts = providers.Singleton(FilePromptSource, settings.provided.prompt_file)
    usage_recorder = providers.Singleton(SettleChat, uow, ids, tenant_defaults, event_bus)
    admit_chat = providers.Singleton(AdmitChat, clock, ids, tenant_defaults)
    chat_service = providers.Singleton(
        ChatService,
        uow,
        chat_model,
        prompts,
        usage_recorder,
        clock,
        ids,
        ChatSettings(),
        admission=admit_chat,
        retriever=document_retriever,
    )
    get_usage = providers.Singleton(GetUsage, uow, clock, tenant_defaults)
    create_dialog = providers.Singleton(CreateDialog, uow, clock, ids)
    list_dialogs = providers.Singleton(ListDialogs, uow)
    get_dialog = providers.Singleton(GetDialog, uow)
    rename_dialog = providers.Singleton(RenameDialog, uow, clock)
    delete_dialog = providers.Singleton(DeleteDialog, uow)

    # Profile, saved items, notifications
    listen_for_events = providers.Singleton(ListenForEvents, event_bus)
    image_normalizer = providers.Singleton(PillowImageNormalizer)
    profile_policy = providers.Singleton(make_profile_policy, settings)
    get_profile = providers.Singleton(GetProfile, uow, profile_policy)
    update_profile = providers.Singleton(UpdateProfile, uow, clock, profile_policy)
    set_avatar = providers.Singleton(
        SetAvatar, uow, avatar_store, image_normalizer, event_bus, clock, ids, profile_policy
    )
    remove_avatar = providers.Singleton(RemoveAvatar, uow, avatar_store, event_bus, clock)
    get_avatar_file = providers.Singleton(GetAvatarFile, avatar_store)
    save_item = providers.Singleton(SaveItem, uow, clock, ids)
    list_saved_items = providers.Singleton(ListSavedItems, uow)
    delete_saved_item = providers.Singleton(DeleteSavedItem, uow)


def build_container(settings: Settings) -> Container:
    """A container for these settings; nothing is opened until first used."""
    return Container(settings=ensure_secret_key(settings))


async def start(container: Container, *, run_migrations: bool | None = None) -> None:
    """Prepare storage: migrate when asked (default: the setting), make sure the
    default tenant exists, and sweep up what a crash left of uploads."""
    settings: Settings = container.settings()
    if run_migrations if run_migrations is not None else settings.auto_migrate:
        await migrate(container.engine())
    await container.ensure_tenant()(settings.default_tenant, "Default")
    if removed := await container.remove_unfinished_writes()():
        log.info("removed %d leftover(s) of uploads cut short by a crash", removed)
    await container.document_worker().resume()


async def stop(container: Container) -> None:
    """Let replies in flight be stored, then release every pool the container opened."""
    await container.chat_service().drain()
    await container.document_worker().stop()
    embedder = container.embedder()
    if isinstance(embedder, OpenAIEmbedder):
        await embedder.close()
    model = container.chat_model()
    if isinstance(model, OpenAIChatModel):
        await model.close()
    container.password_hasher().close()
    await container.event_bus().close()
    await container.engine().dispose()


@asynccontextmanager
async def chatcore_system(
    settings: Settings,
    *,
    run_migrations: bool | None = None,
    configure: Callable[[Container], object] | None = None,
) -> AsyncIterator[Container]:
    """The whole system for use inside another Python service, open for the block.

    ``configure`` gets the container before anything is built or opened: the place
    to swap in an adapter of your own (``container.document_store.override(...)``)."""
    container = build_container(settings)
    if configure is not None:
        configure(container)
    await start(container, run_migrations=run_migrations)
    try:
        yield container
    finally:
        await stop(container)
