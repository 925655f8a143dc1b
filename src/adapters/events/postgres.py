"""An event bus across server processes: Postgres LISTEN/NOTIFY through asyncpg.

Each process keeps one dedicated listening connection and fans the notifications
out to its own subscribers; publishing is a NOTIFY from a small pool. NOTIFY is
not durable, so when the listening connection is lost every open subscription
ends (clients reconnect and catch up by reading state) while the bus reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec

from adapters.events.fanout import LocalFanout, QueueSubscription
from chatcore.errors import Unavailable
from chatcore.events.model import Event
from chatcore.kernel import TenantId

log = logging.getLogger("chatcore.events")

CHANNEL = "chatcore_events"
APPLICATION_NAME = "chatcore-events"
MAX_PAYLOAD_BYTES = 7999  # Postgres refuses a NOTIFY payload of 8000 bytes or more
_FAILURES = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class Envelope(msgspec.Struct, frozen=True, array_like=True):
    """One notification on the channel: whom it is for, and the event."""

    tenant_id: uuid.UUID
    principal_id: uuid.UUID
    event: Event


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Envelope).decode


class PostgresEventBus:
    """An EventBus over Postgres LISTEN/NOTIFY (``dsn``: a plain ``postgresql://`` URL)."""

    def __init__(
        self,
        dsn: str,
        *,
        keepalive_seconds: float = 30.0,
        connect_timeout: float = 10.0,
        retry_delays: tuple[float, float] = (0.5, 10.0),
    ) -> None:
        self._dsn, self._keepalive, self._connect_timeout = dsn, keepalive_seconds, connect_timeout
        self._min_delay, self._max_delay = retry_delays
        self._fanout = LocalFanout()
        self._listening = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()

    async def publish(self, tenant_id: TenantId, principal_id: uuid.UUID, event: Event) -> None:
        payload = _encode(Envelope(tenant_id, principal_id, event))
        if len(payload) > MAX_PAYLOAD_BYTES:
            log.error(
                "event %s too large to publish (%d bytes)", type(event).__name__, len(payload)
            )
            return
        try:
            pool = await self._publisher()
            await pool.execute("SELECT pg_notify($1, $2)", CHANNEL, payload.decode())
        except _FAILURES as exc:
            log.warning("event %s not published: %s", type(event).__name__, exc)

    @asynccontextmanager
    async def subscribe(
        self, tenant_id: TenantId, principal_id: uuid.UUID
    ) -> AsyncIterator[QueueSubscription]:
        await self._until_listening()
        async with self._fanout.subscribe(tenant_id, principal_id) as subscription:
            yield subscription

    def subscribers(self, tenant_id: TenantId, principal_id: uuid.UUID) -> int:
        """How many subscriptions the principal has open in this process."""
        return self._fanout.count(tenant_id, principal_id)

    async def close(self) -> None:
        """Stop listening, end every subscription and close the connections."""
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.gather(self._supervisor, return_exceptions=True)
            self._supervisor = None
        self._fanout.end_all()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _publisher(self) -> asyncpg.Pool:
        async with self._pool_lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn, min_size=0, max_size=4, timeout=self._connect_timeout
                )
            return self._pool

    async def _until_listening(self) -> None:
        if self._supervisor is not None and self._supervisor.done():
            failure = None if self._supervisor.cancelled() else self._supervisor.exception()
            log.error("event bus supervisor stopped; restarting", exc_info=failure)
            self._supervisor = None
        if self._supervisor is None:
            self._supervisor = asyncio.create_task(self._supervise(), name="chatcore-events")
        try:
            async with asyncio.timeout(self._connect_timeout):
                await self._listening.wait()
        except TimeoutError as exc:
            raise Unavailable("event bus") from exc

    async def _supervise(self) -> None:
        """Keep one listening connection open for as long as the bus lives."""
        delay = self._min_delay
        while True:
            try:
                connection = await self._listen()
            except _FAILURES as exc:
                log.warning("event bus cannot listen (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_delay)
                continue
            delay = self._min_delay
            try:
                await self._watch(connection)
            finally:
                self._listening.clear()
                connection.terminate()
                # Events sent while nobody listened are gone: end the subscriptions
                # so that their clients reconnect and read the current state.
                self._fanout.end_all()

    async def _listen(self) -> asyncpg.Connection:
        connection = await asyncpg.connect(
            self._dsn,
            timeout=self._connect_timeout,
            server_settings={"application_name": APPLICATION_NAME},
        )
        try:
            await connection.add_listener(CHANNEL, self._on_notification)
        except BaseException:
            connection.terminate()
            raise
        return connection

    async def _watch(self, connection: asyncpg.Connection) -> None:
        """Return when the connection is lost; a ping finds one that died silently."""
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _: lost.set())
        self._listening.set()
        while True:
            try:
                async with asyncio.timeout(self._keepalive):
                    await lost.wait()
                log.warning("event bus lost its listening connection; reconnecting")
                return
            except TimeoutError:
                pass
            try:
                async with asyncio.timeout(self._connect_timeout):
                    await connection.execute("SELECT 1")
            except _FAILURES as exc:
                log.warning("event bus listening connection failed (%s); reconnecting", exc)
                return

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            envelope = _decode(payload)
        except msgspec.DecodeError:
            log.warning("ignored a malformed notification on %s", CHANNEL)
            return
        self._fanout.dispatch(TenantId(envelope.tenant_id), envelope.principal_id, envelope.event)
