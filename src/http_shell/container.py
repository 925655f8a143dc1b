"""The composition root: the one place that picks adapters and wires use cases.

It needs no web framework: another Python service builds it from settings and
calls the use cases directly (see ``chatcore_system``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dependency_injector import containers, providers

from adapters.llm import LocalChatModel, OpenAIChatModel
from adapters.mail import ConsoleMailer, SmtpMailer
from adapters.memory.usage import MemoryUsageRecorder
from adapters.prompts import FilePromptSource
from adapters.security.argon2 import Argon2PasswordHasher
from adapters.security.jwt import JwtTokenIssuer
from adapters.sql.engine import create_engine
from adapters.sql.health import SqlDatabaseProbe
from adapters.sql.migrate import migrate
from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from chatcore.dialogs.erasure import DialogEraser
from chatcore.dialogs.model_port import ChatModel
from chatcore.dialogs.service import ChatService, ChatSettings
from chatcore.dialogs.use_cases import (
    CreateDialog,
    DeleteDialog,
    GetDialog,
    ListDialogs,
    RenameDialog,
)
from chatcore.health import CheckDatabase
from chatcore.identity.accounts import DeleteAccount, GetAccount
from chatcore.identity.credentials import Mailer
from chatcore.identity.login import Login
from chatcore.identity.otp import RequestOtp, VerifyOtp
from chatcore.identity.policy import IdentityPolicy
from chatcore.identity.registration import ConfirmEmail, Register
from chatcore.identity.sessions import (
    CreateAnonymousSession,
    DeleteSession,
    Logout,
    ResolvePrincipal,
    SessionStarter,
)
from chatcore.kernel import RandomIdFactory, SystemClock
from chatcore.tenants.directory import TenantDirectory
from chatcore.tenants.use_cases import (
    CreateTenant,
    EnsureTenant,
    FindTenant,
    ListTenants,
    TenantDefaults,
    UpdateTenant,
)
from http_shell.settings import Settings, ensure_secret_key


def make_mailer(settings: Settings) -> Mailer:
    """SMTP when a host is configured; otherwise mails go to the log."""
    if not settings.smtp_host:
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
    )


def derive_otp_key(settings: Settings) -> bytes:
    """The key one-time codes are hashed with, derived from the secret key so that
    the two are never the same bytes."""
    return hmac.new(settings.secret_key.encode(), b"chatcore otp codes", hashlib.sha256).digest()


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

    # Identity
    policy = providers.Singleton(identity_policy, settings)
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    token_issuer = providers.Singleton(JwtTokenIssuer, settings.provided.secret_key)
    mailer = providers.Singleton(make_mailer, settings)
    otp_key = providers.Singleton(derive_otp_key, settings)
    erasers = providers.List(providers.Singleton(DialogEraser))
    session_starter = providers.Singleton(SessionStarter, clock, ids, token_issuer, policy, erasers)
    request_otp = providers.Singleton(RequestOtp, uow, mailer, clock, policy, otp_key)
    verify_otp = providers.Singleton(VerifyOtp, uow, session_starter, clock, ids, policy, otp_key)
    register = providers.Singleton(Register, uow, password_hasher, mailer, clock, ids, policy)
    confirm_email = providers.Singleton(ConfirmEmail, uow, clock)
    login = providers.Singleton(Login, uow, password_hasher, session_starter, clock, policy)
    create_anonymous_session = providers.Singleton(CreateAnonymousSession, uow, session_starter)
    resolve_principal = providers.Singleton(ResolvePrincipal, uow, token_issuer, clock, policy)
    logout = providers.Singleton(Logout, uow, erasers)
    delete_session = providers.Singleton(DeleteSession, uow, erasers)
    delete_account = providers.Singleton(DeleteAccount, uow, erasers)
    get_account = providers.Singleton(GetAccount, uow)

    # Dialogs and chat
    chat_model = providers.Singleton(make_chat_model, settings)
    prompts = providers.Singleton(FilePromptSource, settings.provided.prompt_file)
    usage_recorder = providers.Singleton(MemoryUsageRecorder)
    chat_service = providers.Singleton(
        ChatService, uow, chat_model, prompts, usage_recorder, clock, ids, ChatSettings()
    )
    create_dialog = providers.Singleton(CreateDialog, uow, clock, ids)
    list_dialogs = providers.Singleton(ListDialogs, uow)
    get_dialog = providers.Singleton(GetDialog, uow)
    rename_dialog = providers.Singleton(RenameDialog, uow, clock)
    delete_dialog = providers.Singleton(DeleteDialog, uow)


def build_container(settings: Settings) -> Container:
    """A container for these settings; nothing is opened until first used."""
    return Container(settings=ensure_secret_key(settings))


async def start(container: Container, *, run_migrations: bool | None = None) -> None:
    """Prepare storage: migrate when asked (default: the setting) and make sure the
    default tenant exists."""
    settings: Settings = container.settings()
    if run_migrations if run_migrations is not None else settings.auto_migrate:
        await migrate(container.engine())
    await container.ensure_tenant()(settings.default_tenant, "Default")


async def stop(container: Container) -> None:
    """Let replies in flight be stored, then release every pool the container opened."""
    await container.chat_service().drain()
    model = container.chat_model()
    if isinstance(model, OpenAIChatModel):
        await model.close()
    container.password_hasher().close()
    await container.engine().dispose()


@asynccontextmanager
async def chatcore_system(
    settings: Settings, *, run_migrations: bool | None = None
) -> AsyncIterator[Container]:
    """The whole system for use inside another Python service, open for the block."""
    container = build_container(settings)
    await start(container, run_migrations=run_migrations)
    try:
        yield container
    finally:
        await stop(container)
