"""The ``chatcore`` command: ``serve``, ``worker``, ``migrate``, ``reindex``,
``purge``, ``tenant create|list``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence

import msgspec

from chatcore.errors import ChatcoreError
from chatcore.identity.use_cases.housekeeping import PurgeReport
from chatcore.pagination import PageRequest
from chatcore.tenants.model import TenantSettings
from http_shell.container import chatcore_system
from http_shell.settings import Settings, SettingsError, load_settings
from http_shell.telemetry.logs import configure_logging, log_config
from http_shell.telemetry.workers import shared_metrics


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_format)
        return int(args.run(args, settings) or 0)
    except SettingsError as exc:
        print(f"chatcore: configuration error: {exc}", file=sys.stderr)
        return 2
    except ChatcoreError as exc:
        print(f"chatcore: {exc.code}: {exc.detail}", file=sys.stderr)
        return 1


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if not args.no_migrate:
        asyncio.run(_migrate_now(settings))
    if args.no_worker:
        # Read by every server process's own settings (uvicorn builds the app there).
        os.environ["CHATCORE_JOB_CONCURRENCY"] = "0"
    with shared_metrics(args.workers if settings.metrics else 1):
        uvicorn.run(
            "http_shell.app:create_app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            # Every worker logs alike; the app writes the one line per request (with
            # its id, route template, status and duration), uvicorn's access log none.
            log_config=log_config(settings.log_format, request_lines=not args.no_access_log),
            log_level="info",
            access_log=False,
            proxy_headers=True,
            # uvicorn's own default believes X-Forwarded-For from any local peer; one
            # setting says which proxies are believed, here and in the app.
            forwarded_allow_ips=list(settings.trusted_proxies),
            timeout_graceful_shutdown=10,
        )
    return 0


def _worker(_: argparse.Namespace, settings: Settings) -> int:
    if settings.job_concurrency <= 0:
        raise SettingsError("CHATCORE_JOB_CONCURRENCY: a worker needs at least 1")

    async def work() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stopping.set)
        async with chatcore_system(settings):
            logging.getLogger("chatcore.jobs").info(
                "working jobs, %d at a time; stop with SIGTERM", settings.job_concurrency
            )
            await stopping.wait()

    asyncio.run(work())
    return 0


def _migrate(_: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(_migrate_now(settings))
    print("chatcore: database is up to date")
    return 0


async def _migrate_now(settings: Settings) -> None:
    async with chatcore_system(settings, run_migrations=True, work_jobs=False):
        pass


def _reindex(_: argparse.Namespace, settings: Settings) -> int:
    async def reindex() -> None:
        async with chatcore_system(settings, work_jobs=False) as system:
            await system.queue_reindex()()
            # Queued first, so that if this command stops, any worker goes on with it.
            await system.job_worker().work_until_idle()

    asyncio.run(reindex())
    print(f"chatcore: every chunk has a vector by the {settings.embedder} embedder")
    return 0


def _purge(_: argparse.Namespace, settings: Settings) -> int:
    async def purge() -> PurgeReport:
        async with chatcore_system(settings, work_jobs=False) as system:
            return await system.purge_expired()()

    report = asyncio.run(purge())
    counts = ", ".join(f"{kind}={n}" for kind, n in msgspec.structs.asdict(report).items())
    print(f"chatcore: purged {report.total} expired row(s): {counts}")
    return 0


def _tenant_create(args: argparse.Namespace, settings: Settings) -> int:
    async def create() -> None:
        async with chatcore_system(settings, work_jobs=False) as system:
            extra = json.loads(args.settings) if args.settings else {}
            tenant = await system.create_tenant()(
                args.slug, args.name, msgspec.convert(extra, TenantSettings)
            )
            print(msgspec.json.encode(tenant).decode())

    asyncio.run(create())
    return 0


def _tenant_list(_: argparse.Namespace, settings: Settings) -> int:
    async def show() -> None:
        async with chatcore_system(settings, work_jobs=False) as system:
            page = PageRequest(limit=200)
            while True:
                result = await system.list_tenants()(page)
                for tenant in result.items:
                    print(f"{tenant.id}  {tenant.slug:<24} {tenant.name}")
                if result.next_after is None:
                    return
                page = PageRequest(limit=200, after=result.next_after)

    asyncio.run(show())
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatcore", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="migrate the database and serve HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate first")
    serve.add_argument(
        "--no-access-log", action="store_true", help="do not log every request (faster)"
    )
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="serve HTTP only; leave background jobs to `chatcore worker` processes",
    )
    serve.set_defaults(run=_serve)

    worker = commands.add_parser(
        "worker", help="work background jobs (ingestion, re-indexing, the purge), no HTTP"
    )
    worker.set_defaults(run=_worker)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(run=_migrate)

    reindex = commands.add_parser(
        "reindex", help="re-embed document chunks after CHATCORE_EMBEDDER changed"
    )
    reindex.set_defaults(run=_reindex)

    purge = commands.add_parser(
        "purge",
        help="delete expired sessions (with anonymous sessions' data), used or expired "
        "codes and links, idle throttles and sign-ups never confirmed",
    )
    purge.set_defaults(run=_purge)

    tenant = commands.add_parser("tenant", help="manage tenants").add_subparsers(
        required=True, metavar="ACTION"
    )
    create = tenant.add_parser("create", help="create a tenant")
    create.add_argument("slug")
    create.add_argument("name")
    create.add_argument("--settings", help='JSON, e.g. \'{"auth_methods": ["otp"]}\'')
    create.set_defaults(run=_tenant_create)
    listing = tenant.add_parser("list", help="list tenants")
    listing.set_defaults(run=_tenant_list)
    return parser


if __name__ == "__main__":
    sys.exit(main())
