"""The whole benchmark: which stacks run, which scenarios run on each, and the report.

Stacks are shared where scenarios allow, to spend the time on measuring: one SQLite
stack with a fast model stub (scenarios 1, 2, 3, 5, 6, 7, 9, and the sessions of 4), one
Postgres stack (2 and 5), and a stack per target and round with a paced stub (4).
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench import seed
from bench.context import Bench
from bench.report import Table, unavailable
from bench.scenarios import (
    chat,
    idle,
    ingestion,
    logins,
    observability,
    openai_sdk,
    requests,
    search,
)
from bench.servers import CHATCORE, LITESTAR, RAW, Server
from bench.stack import Database, StubSpec, postgres_database, sqlite_database, stack

TARGETS = [RAW, LITESTAR, CHATCORE]
TITLES = {
    1: "GET /health",
    2: "Authenticated GET /v1/dialogs?limit=20",
    3: "POST /v1/chat: relaying a stream",
    4: "Concurrent idle streams",
    5: search.TITLE,
    6: "Logins (argon2id) while /health is hammered",
    7: "Ingestion of a PDF",
    8: observability.TITLE,
    9: openai_sdk.TITLE,
}
DIALOGS = 25  # more than a page of 20, so the page has a next cursor
STREAMS_PER_CALLER = 8  # scenario 4: principals share streams, as a user's tabs would
KEY_HOLDERS = 8  # scenario 9: users whose API keys the SDK's streams share


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Run:
    """Runs the selected scenarios; ``tables`` holds their outcome by number."""

    def __init__(self, bench: Bench, selected: set[int]) -> None:
        self.bench, self.selected = bench, selected
        self.tables: dict[int, Table] = {}
        self._dialogs: dict[str, requests.Samples] = {}
        self._searches: list[dict[str, object]] = []
        self._idle_callers: list[seed.Caller] = []

    def all(self) -> dict[int, Table]:
        if self.selected & {1, 2, 3, 4, 5, 6, 7, 9}:
            self._guard(0, "SQLite stack", self._sqlite)
        if 8 in self.selected:
            self._guard(8, TITLES[8], self._observability)
        if self.selected & {2, 5}:
            self._guard(0, "Postgres stack", self._postgres)
        if 4 in self.selected:
            self._guard(4, TITLES[4], self._idle)
        if 2 in self.selected and 2 not in self.tables:
            self.tables[2] = requests.dialogs_table(self.bench, self._dialogs)
        if 5 in self.selected and 5 not in self.tables:
            self.tables[5] = search.table(self.bench, self._searches)
        return dict(sorted(self.tables.items()))

    def _sqlite(self) -> None:
        bench = self.bench
        database = sqlite_database(bench)
        with stack(bench, database, TARGETS, StubSpec(bench.profile.chat_deltas, 0.0)) as servers:
            chatcore = servers[CHATCORE]
            paths = seed.api_paths(chatcore)
            if 1 in self.selected:
                self._guard(
                    1,
                    TITLES[1],
                    lambda: requests.health_table(
                        bench, requests.interleaved(bench, servers, "/health", [])
                    ),
                )
            if 2 in self.selected:
                self._guard(2, TITLES[2], lambda: self._dialog_samples(servers, database))
            if 3 in self.selected:
                callers = seed.callers(bench, chatcore, bench.profile.chat_concurrency)
                self._guard(3, TITLES[3], lambda: chat.run(bench, servers, callers))
            if 5 in self.selected:
                self._guard(
                    5,
                    TITLES[5],
                    lambda: self._search(
                        chatcore,
                        database,
                        paths,
                        [("clustered", bench.profile.search_chunks_sqlite)],
                    ),
                )
            if 6 in self.selected:
                self._guard(6, TITLES[6], lambda: self._logins(chatcore, database, paths))
            if 7 in self.selected:
                self._guard(7, TITLES[7], lambda: self._ingestion(chatcore, paths))
            if 9 in self.selected:
                self._guard(9, TITLES[9], lambda: self._openai(chatcore, database, paths))
            if 4 in self.selected:
                count = -(-bench.profile.idle_streams // STREAMS_PER_CALLER)
                self._idle_callers = seed.callers(bench, chatcore, count)

    def _observability(self) -> Table:
        bench = self.bench
        database = sqlite_database(bench)
        stub = StubSpec(bench.profile.chat_deltas, 0.0)
        with stack(bench, database, observability.TARGETS, stub) as servers:
            callers = seed.callers(bench, servers[CHATCORE], bench.profile.chat_concurrency)
            return observability.run(bench, servers, callers)

    def _postgres(self) -> None:
        bench = self.bench
        targets = TARGETS if 2 in self.selected else [CHATCORE]
        with postgres_database(bench) as database, stack(bench, database, targets) as servers:
            chatcore = servers[CHATCORE]
            if 2 in self.selected:
                self._guard(2, TITLES[2], lambda: self._dialog_samples(servers, database))
            if 5 in self.selected:
                chunks = bench.profile.search_chunks_postgres
                self._guard(
                    5,
                    TITLES[5],
                    lambda: self._search(
                        chatcore,
                        database,
                        seed.api_paths(chatcore),
                        [("clustered", chunks), ("random", chunks)],
                    ),
                )

    def _dialog_samples(self, servers: dict[str, Server], database: Database) -> None:
        progress(f"scenario 2 on {database.label}")
        chatcore = servers[CHATCORE]
        caller = seed.callers(self.bench, chatcore, 1)[0]
        seed.dialogs(self.bench, chatcore, caller, DIALOGS)
        self._dialogs[database.label] = requests.interleaved(
            self.bench, servers, "/v1/dialogs?limit=20", caller.auth, database
        )

    def _search(
        self,
        chatcore: Server,
        database: Database,
        paths: set[str],
        corpora: list[tuple[str, int]],
    ) -> Table | None:
        if "/v1/search" not in paths:
            return unavailable(5, TITLES[5], "this build has no POST /v1/search")
        tenant = seed.tenant_id(self.bench, chatcore)
        for kind, count in corpora:
            progress(f"scenario 5 on {database.label}: {count:,} {kind} chunks")
            caller = seed.callers(self.bench, chatcore, 1)[0]
            self._searches.append(
                search.measure(self.bench, chatcore, database, caller, tenant, kind, count)
            )
        return None

    def _logins(self, chatcore: Server, database: Database, paths: set[str]) -> Table:
        if "/v1/auth/login" not in paths:
            return unavailable(6, TITLES[6], "this build has no POST /v1/auth/login")
        return logins.run(self.bench, chatcore, database, seed.tenant_id(self.bench, chatcore))

    def _ingestion(self, chatcore: Server, paths: set[str]) -> Table:
        if "/v1/documents" not in paths:
            return unavailable(7, TITLES[7], "this build has no POST /v1/documents")
        return ingestion.run(self.bench, chatcore, seed.callers(self.bench, chatcore, 1)[0])

    def _openai(self, chatcore: Server, database: Database, paths: set[str]) -> Table:
        if "/v1/chat/completions" not in paths:
            return unavailable(9, TITLES[9], "this build has no POST /v1/chat/completions")
        bench = self.bench
        tenant = seed.tenant_id(bench, chatcore)
        holders = seed.key_holders(bench, database, chatcore, tenant, KEY_HOLDERS)
        callers = seed.callers(bench, chatcore, bench.profile.chat_concurrency)
        return openai_sdk.run(bench, chatcore, callers, holders)

    def _idle(self) -> Table:
        bench = self.bench
        database = sqlite_database(bench)
        stub = StubSpec(idle.stub_deltas(bench.profile.idle_seconds), 1.0)

        @contextmanager
        def open_stack(targets: list[str]) -> Iterator[dict[str, Server]]:
            with stack(bench, database, targets, stub) as servers:
                yield servers

        return idle.run(bench, TARGETS, open_stack, self._idle_callers)

    def _guard(self, number: int, title: str, step: Callable[[], Table | None]) -> None:
        """Run one step; a failure becomes that scenario's table instead of the run's end."""
        started = time.monotonic()
        if number:
            progress(f"scenario {number}: {title}")
        try:
            table = step()
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            if number:
                self.tables[number] = Table(number, title, f"failed: {type(exc).__name__}: {exc}")
            else:
                for n in self.selected:
                    self.tables.setdefault(n, Table(n, TITLES[n], f"failed ({title}): {exc}"))
            return
        if table is not None:
            self.tables[number] = table
        if number:
            progress(f"scenario {number} took {time.monotonic() - started:.0f} s")
