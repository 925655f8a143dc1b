"""The composition root: the one place that picks adapters, and the container that
joins them to the use cases (wired in ``http_shell.use_cases``).

It needs no web framework: another Python service builds it from settings and
calls the use cases directly (see ``chatcore_system``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

from dependency_injector import containers, providers
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.embed import LocalEmbedder, OpenAIEmbedder
from adapters.events import InProcessEventBus, PostgresEventBus
from adapters.extract import (
    DocxTextExtractor,
    HtmlTextExtractor,
    PlainTextExtractor,
    PypdfTextExtractor,
)
from adapters.images import PillowImageNormalizer
from adapters.llm import LocalChatModel, OpenAIChatModel
from adapters.mail import ConsoleMailer, MaildirMailer, SmtpMailer
from adapters.prometheus import MeteredChatModel, PrometheusIngestionMeter, watch_pool
from adapters.prompts import FilePromptSource
from adapters.security.argon2 import Argon2PasswordHasher
from adapters.security.jwt import JwtTokenIssuer
from adapters.sql.blobs import SqlBlobStore
from adapters.sql.engine import create_engine
from adapters.sql.health import SqlDatabaseProbe
from adapters.sql.migrate import migrate
from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from adapters.storage import LocalFileBlobStore, S3BlobStore
from chatcore.dialogs.ports import ChatModel
from chatcore.documents.model import DOCX, HTML, MARKDOWN, PDF, PLAIN_TEXT
from chatcore.documents.ports import Embedder, IngestionMeter, TextExtractor
from chatcore.identity.ports import Mailer
from chatcore.jobs.ports import JobHandler
from chatcore.kernel import BlobStore, RandomIdFactory, SystemClock
from http_shell.settings import Settings, ensure_secret_key
from http_shell.storage_url import DatabaseStorage, S3Storage
from http_shell.use_cases import UseCases

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

log = logging.getLogger("chatcore.housekeeping")
SHUTDOWN_GRACE_SECONDS = 10.0  # what a deploy waits for replies in flight
# Gives the job handlers (by kind) to the worker, maybe each wrapped.
JobTracing = Callable[[Mapping[str, JobHandler]], Mapping[str, JobHandler]]
FLUSH_SPANS_MILLIS = 5000


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


def make_tracer_provider(settings: Settings) -> TracerProvider | None:
    """Where spans go: the OTLP endpoint when one is configured; else None, and no
    OpenTelemetry module is ever imported."""
    if settings.otlp_endpoint is None:
        return None
    from adapters.otel import otlp_tracer_provider

    return otlp_tracer_provider(settings.otlp_endpoint)


def make_job_tracing(tracer_provider: TracerProvider | None) -> JobTracing:
    """What the job handlers are given to: a trace per job run when traces are on."""
    if tracer_provider is None:
        return dict
    from adapters.otel import traced_jobs

    return functools.partial(traced_jobs, tracer=tracer_provider.get_tracer(traced_jobs.__module__))


def make_chat_model(settings: Settings, tracer_provider: TracerProvider | None) -> ChatModel:
    """The configured language model (the offline one by default), counted in the
    metrics when they are on and traced when traces are."""
    model: ChatModel
    if settings.llm_provider == "openai":
        name = settings.openai_model
        model = OpenAIChatModel(
            api_key=settings.openai_api_key or "unused",  # compatible servers may need none
            model=name,
            base_url=settings.openai_base_url,
            max_connections=settings.llm_max_connections,
        )
    elif settings.llm_provider == "deepseek":
        name = settings.deepseek_model
        model = OpenAIChatModel.for_deepseek(
            api_key=settings.deepseek_api_key or "",
            model=name,
            max_connections=settings.llm_max_connections,
        )
    else:
        model = LocalChatModel(words_per_second=settings.local_model_wps)
        name = LocalChatModel.name
    if tracer_provider is not None:
        from adapters.otel import TracedChatModel

        model = TracedChatModel(
            model,
            tracer_provider.get_tracer(TracedChatModel.__module__),
            provider=settings.llm_provider,
            default_model=name,
        )
    if not settings.metrics:
        return model
    return MeteredChatModel(model, provider=settings.llm_provider, default_model=name)


def make_engine(settings: Settings, tracer_provider: TracerProvider | None) -> AsyncEngine:
    """The database engine, its pool watched by the metrics when they are on and its
    statements traced when traces are."""
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    if settings.metrics:
        watch_pool(engine)
    if tracer_provider is not None:
        from adapters.otel import trace_statements

        trace_statements(engine, tracer_provider)
    return engine


def make_ingestion_meter(settings: Settings) -> IngestionMeter | None:
    """What counts ingestions in the metrics; None when they are off."""
    return PrometheusIngestionMeter() if settings.metrics else None


def make_event_bus(settings: Settings) -> InProcessEventBus | PostgresEventBus:
    """Postgres LISTEN/NOTIFY whenever the database is Postgres, so that an event
    reaches sockets held by every server process; else this process's own bus."""
    if settings.backend != "postgresql":
        return InProcessEventBus()
    dsn = make_url(settings.database_url).set(drivername="postgresql")
    return PostgresEventBus(dsn.render_as_string(hide_password=False))


def make_blob_store(settings: Settings, engine: AsyncEngine, kind: str) -> BlobStore:
    """The files of one ``kind`` (``documents``, ``avatars``) where the storage URL
    says, each kind apart from the others."""
    storage = settings.storage
    if isinstance(storage, DatabaseStorage):
        return SqlBlobStore(engine, kind)
    if isinstance(storage, S3Storage):
        return S3BlobStore.connect(
            storage.bucket,
            f"{storage.prefix}/{kind}".lstrip("/"),
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
        )
    return LocalFileBlobStore(Path(storage.path) / kind)


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
    return {
        PDF: PypdfTextExtractor(),
        DOCX: DocxTextExtractor(),
        HTML: HtmlTextExtractor(),
        PLAIN_TEXT: text,
        MARKDOWN: text,
    }


class Adapters(containers.DeclarativeContainer):
    """The adapters the settings choose, one instance each (pools, clients, stores)."""

    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(RandomIdFactory)
    tracer_provider = providers.Singleton(make_tracer_provider, settings)
    engine = providers.Singleton(make_engine, settings, tracer_provider)
    uow = providers.Singleton(SqlUnitOfWorkFactory, engine)
    database_probe = providers.Singleton(SqlDatabaseProbe, engine)
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    token_issuer = providers.Singleton(JwtTokenIssuer, settings.provided.secret_key)
    mailer = providers.Singleton(make_mailer, settings)
    avatar_store = providers.Singleton(make_blob_store, settings, engine, "avatars")
    document_store = providers.Singleton(make_blob_store, settings, engine, "documents")
    event_bus = providers.Singleton(make_event_bus, settings)
    embedder = providers.Singleton(make_embedder, settings)
    text_extractors = providers.Singleton(make_text_extractors)
    chat_model = providers.Singleton(make_chat_model, settings, tracer_provider)
    job_tracing = providers.Singleton(make_job_tracing, tracer_provider)
    ingestion_meter = providers.Singleton(make_ingestion_meter, settings)
    prompts = providers.Singleton(FilePromptSource, settings.provided.prompt_file)
    image_normalizer = providers.Singleton(PillowImageNormalizer)


class Container(containers.DeclarativeContainer):
    """The whole system: ``adapters`` chosen from the settings, and ``use_cases`` on them
    (routes reach only the latter)."""

    settings = providers.Dependency(instance_of=Settings)
    adapters = providers.Container(Adapters, settings=settings)
    use_cases = providers.Container(UseCases, adapters=adapters, settings=settings)


def build_container(settings: Settings) -> Container:
    """A container for these settings; nothing is opened until first used."""
    return Container(settings=ensure_secret_key(settings))


def use_cases_of(container: Container) -> UseCases:
    """The container's use cases, typed: mypy sees a nested container's providers as
    untyped, and this is the one place that says what they are."""
    return cast(UseCases, container.use_cases)


async def start(
    container: Container, *, run_migrations: bool | None = None, work_jobs: bool = True
) -> None:
    """Prepare storage: migrate when asked (default: the setting), make sure the
    default tenant exists, sweep up what a crash left of replies and uploads, queue
    what background work is missing; then work jobs, unless told not to (or
    ``CHATCORE_JOB_CONCURRENCY=0``)."""
    settings: Settings = container.settings()
    use_cases = use_cases_of(container)
    if run_migrations if run_migrations is not None else settings.auto_migrate:
        await migrate(container.adapters.engine())
    await use_cases.ensure_tenant()(settings.default_tenant, "Default")
    # SQLite has one process: whatever it left in progress, it will never finish.
    only_process = settings.backend != "postgresql"
    if ended := await use_cases.finish_abandoned_replies()(all_in_progress=only_process):
        log.info("finished %d reply(ies) left in progress by a stopped process", ended)
    if removed := await use_cases.remove_unfinished_writes()():
        log.info("removed %d leftover(s) of uploads cut short by a crash", removed)
    if waiting := await use_cases.queue_unfinished_ingestions()():
        log.info("%d document(s) are waiting for their ingestion", waiting)
    await use_cases.periodic_purge().schedule(container.adapters.uow())
    await use_cases.abandoned_replies_job().schedule(container.adapters.uow())
    if work_jobs:
        use_cases.job_worker().start()


async def stop(container: Container) -> None:
    """Let replies in flight end (those still running after a grace period end as
    ``interrupted``) and be stored, then release every pool the container opened."""
    await use_cases_of(container).live_replies().drain(SHUTDOWN_GRACE_SECONDS)
    await use_cases_of(container).complete_chat().drain()
    await use_cases_of(container).job_worker().stop()
    adapters = container.adapters
    embedder = adapters.embedder()
    if isinstance(embedder, OpenAIEmbedder):
        await embedder.close()
    model = adapters.chat_model()
    while (inner := getattr(model, "wrapped", None)) is not None:  # metered, traced
        model = inner
    if isinstance(model, OpenAIChatModel):
        await model.close()
    adapters.password_hasher().close()
    await adapters.event_bus().close()
    await adapters.engine().dispose()
    tracer_provider = adapters.tracer_provider()
    if tracer_provider is not None and hasattr(tracer_provider, "force_flush"):
        # Send what is batched before the process ends (the SDK's export is blocking).
        await asyncio.to_thread(tracer_provider.force_flush, FLUSH_SPANS_MILLIS)


@asynccontextmanager
async def chatcore_system(
    settings: Settings,
    *,
    run_migrations: bool | None = None,
    configure: Callable[[Container], object] | None = None,
    work_jobs: bool = True,
) -> AsyncIterator[UseCases]:
    """The whole system for use inside another Python service, open for the block:
    its use cases (``system.create_tenant()``, ``system.chat_service()``, ...).

    ``configure`` gets the container before anything is built or opened: the place
    to swap in an adapter of your own (``container.adapters.document_store.override(...)``).
    ``work_jobs=False``: this process leaves background jobs (ingestion, the purge) to
    others, or works them only when it calls ``system.job_worker().work_until_idle()``."""
    container = build_container(settings)
    if configure is not None:
        configure(container)
    await start(container, run_migrations=run_migrations, work_jobs=work_jobs)
    try:
        yield use_cases_of(container)
    finally:
        await stop(container)
