"""The Litestar application: routes, problem handlers, CORS, OpenAPI, lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.di import Provide

from chatcore.errors import Unavailable
from http_shell.allow import allow_every_method
from http_shell.container import Container, build_container, start, stop, use_cases_of
from http_shell.cors import cors_config, unlisted_origin_filter
from http_shell.credentials import (
    provide_optional_principal,
    provide_principal,
    provide_principal_tenant,
    provide_sign_in_tenant,
)
from http_shell.dependencies import provide_admin, provide_tenant
from http_shell.openapi import openapi_config, openapi_plugins
from http_shell.problems import EXCEPTION_HANDLERS
from http_shell.request_bodies import JsonBodyRequest
from http_shell.routes import (
    api_keys,
    auth,
    chat,
    dialogs,
    documents,
    health,
    openai,
    profile,
    tenants,
    usage,
    web,
    ws_chat,
    ws_events,
)
from http_shell.settings import Settings, load_settings
from http_shell.telemetry.metrics_route import metrics_router
from http_shell.telemetry.middleware import ObservedRequests
from http_shell.telemetry.workers import join_shared_metrics, leave_shared_metrics
from http_shell.use_cases import UseCases

log = logging.getLogger("chatcore.http")
START_RETRY_SECONDS = 5.0


class _App(Litestar):
    """Litestar, without its look for an OpenTelemetry middleware among ``middleware``."""

    @staticmethod
    def _patch_opentelemetry_middleware(config: AppConfig) -> AppConfig:
        # Litestar imports its OpenTelemetry plugin (and OpenTelemetry with it) for every
        # app made where the package is installed, to move such a middleware first.
        # chatcore passes none (its tracing wraps the whole app, below), and without
        # traces configured it loads no OpenTelemetry module at all.
        return config


def create_app(settings: Settings, container: Container | None = None) -> Litestar:
    """The HTTP app for ``settings``; pass a container to override adapters (tests)."""
    container = container or build_container(settings)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        join_shared_metrics()
        retrying = None
        try:
            await start(container)
        except Unavailable:
            retrying = asyncio.create_task(_retry_start(container))
        try:
            yield
        finally:
            if retrying is not None:
                retrying.cancel()
            await stop(container)
            leave_shared_metrics()

    cors = cors_config(settings)
    app = _App(
        route_handlers=[
            *health.ROUTES,
            *tenants.ROUTES,
            *auth.ROUTES,
            *api_keys.ROUTES,
            *dialogs.ROUTES,
            *chat.ROUTES,
            *openai.ROUTES,
            *ws_chat.ROUTES,
            *profile.ROUTES,
            *ws_events.ROUTES,
            *usage.ROUTES,
            *documents.ROUTES,
            *web.ROUTES,
            *([metrics_router(settings.metrics_token)] if settings.metrics else []),
        ],
        dependencies=route_dependencies(use_cases_of(container)),
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=JsonBodyRequest,
        cors_config=cors,
        before_send=[allow_every_method, *([unlisted_origin_filter(cors)] if cors else [])],
        openapi_config=openapi_config(),
        plugins=openapi_plugins(),
        lifespan=[lifespan],
        debug=False,
        # Logging is the process's to configure (chatcore serve does, with request ids
        # and CHATCORE_LOG_FORMAT); Litestar's default would replace the root handlers.
        logging_config=None,
    )
    # Around routing, CORS and the exception handlers: every response gets its
    # request id, is counted and traced, a 404 or a failed preflight too.
    handler = app.asgi_handler
    tracer_provider = container.adapters.tracer_provider()
    if tracer_provider is not None:
        # Imported here: without traces configured no OpenTelemetry module is loaded.
        from http_shell.telemetry.traces import TracedRequests

        handler = TracedRequests(handler, tracer_provider)
    app.asgi_handler = ObservedRequests(handler, metrics=settings.metrics)
    return app


async def _retry_start(container: Container) -> None:
    # A database that is down at start must not keep the process from serving
    # /health (and 503 on /health/db); keep trying until it answers.
    while True:
        log.error("database unreachable at start; retrying in %s s", START_RETRY_SECONDS)
        await asyncio.sleep(START_RETRY_SECONDS)
        try:
            await start(container)
            return
        except Unavailable:
            continue


def route_dependencies(use_cases: UseCases) -> dict[str, Provide]:
    """``use_cases``, the one way routes reach the core, and the request-scoped values
    built from it (see ``http_shell.dependencies``)."""
    return {
        "use_cases": Provide(lambda: use_cases, use_cache=True, sync_to_thread=False),
        "tenant": Provide(provide_tenant),
        "sign_in_tenant": Provide(provide_sign_in_tenant),
        "principal": Provide(provide_principal),
        "optional_principal": Provide(provide_optional_principal),
        "principal_tenant": Provide(provide_principal_tenant),
        "admin": Provide(provide_admin, sync_to_thread=False),
    }


def create_app_from_env() -> Litestar:
    """The app configured from the environment (the ASGI factory ``chatcore serve`` runs)."""
    return create_app(load_settings())
