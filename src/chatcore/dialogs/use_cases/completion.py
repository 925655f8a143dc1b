"""CompleteChat: a stateless completion, for OpenAI-style clients that keep the
conversation themselves. Nothing of it is stored but its usage; it is admitted,
retrieves and settles as a dialog's chat does (the same admission, retriever and
usage recorder), with the same context budget.

Two models are offered: ``chatcore`` (the tenant's model) and
``chatcore-documents`` (the same, answering from the caller's documents).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator
from datetime import datetime

import msgspec

from chatcore.admission import ChatAdmission
from chatcore.dialogs.context import build_context, citations_of, context_tokens, fit_passages
from chatcore.dialogs.events import ChatEvent, Citations, Delta, Done, Error, Usage
from chatcore.dialogs.model import FinishReason
from chatcore.dialogs.ports import (
    ChatModel,
    Completion,
    ModelRequest,
    PromptSource,
    Retriever,
    TextDelta,
    Turn,
    UsageRecorder,
)
from chatcore.dialogs.tokens import estimate_tokens
from chatcore.dialogs.use_cases.chat import REPLY_ESTIMATE_TOKENS, ChatSettings
from chatcore.errors import ChatcoreError, InvalidInput, ModelNotFound, TenantMismatch
from chatcore.identity.principal import Principal
from chatcore.kernel import Clock, IdFactory, UsageRecord
from chatcore.tenants.model import Tenant
from chatcore.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("chatcore.dialogs")

PLAIN_MODEL = "chatcore"
DOCUMENTS_MODEL = "chatcore-documents"
MODELS = (PLAIN_MODEL, DOCUMENTS_MODEL)
MAX_TURNS = 1_000


class CompletionRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A conversation the caller keeps (its last non-system turn is answered) and how
    to answer it; ``model`` is one of ``MODELS``."""

    model: str
    turns: tuple[Turn, ...]
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()


class ModelCard(msgspec.Struct, frozen=True, kw_only=True):
    """A model a tenant's callers may name, and since when it is offered."""

    id: str
    created: datetime


class ListModels:
    """The models a completion may name, in the caller's tenant."""

    async def __call__(self, principal: Principal, tenant: Tenant) -> list[ModelCard]:
        """Both models, offered since the tenant was made; raises TenantMismatch."""
        if tenant.id != principal.tenant_id:
            raise TenantMismatch("The principal is not of this tenant.")
        return [ModelCard(id=name, created=tenant.created_at) for name in MODELS]


class CompletionDraft:
    """The state of one completion while it streams; the CompleteChat's alone."""

    def __init__(self, principal: Principal, request: CompletionRequest) -> None:
        self.principal = principal
        self.request = request
        self.reservation_id: uuid.UUID | None = None
        self.pieces: list[str] = []
        self.completion: Completion | None = None
        self.citations: Citations | None = None
        self.prompt_estimate = 0
        self.model_name: str | None = None
        self.finish_reason: FinishReason = "cancelled"  # until it ends otherwise
        self.error: ChatcoreError | None = None

    def tokens(self) -> tuple[int, int]:
        """Prompt and completion tokens: the provider's, or estimates if it never said."""
        if self.completion is not None:
            return self.completion.prompt_tokens, self.completion.completion_tokens
        return self.prompt_estimate, estimate_tokens("".join(self.pieces))


class CompletionStream:
    """The events of one completion: Delta..., Citations? (``chatcore-documents``),
    Usage, Done; or Error and the end. ``aclose()`` (or cancelling the task reading
    it) abandons it; its usage is recorded however it ends."""

    def __init__(
        self, id: str, created: datetime, model: str, events: AsyncGenerator[ChatEvent, None]
    ) -> None:
        self.id, self.created, self.model = id, created, model
        self._events = events

    def __aiter__(self) -> AsyncGenerator[ChatEvent, None]:
        return self._events

    async def aclose(self) -> None:
        """Abandon the stream: the model call stops, the usage so far is recorded."""
        await self._events.aclose()


class CompleteChat:
    """Answer a conversation the caller keeps, storing nothing but the usage."""

    def __init__(
        self,
        model: ChatModel,
        prompts: PromptSource,
        usage: UsageRecorder,
        clock: Clock,
        ids: IdFactory,
        uow: UnitOfWorkFactory,
        settings: ChatSettings | None = None,
        retriever: Retriever | None = None,
        admission: ChatAdmission | None = None,
    ) -> None:
        self._model, self._prompts, self._usage = model, prompts, usage
        self._clock, self._ids, self._uow = clock, ids, uow
        self._settings = settings or ChatSettings()
        self._retriever, self._admission = retriever, admission
        self._pending: set[asyncio.Task[None]] = set()

    async def start(
        self, principal: Principal, tenant: Tenant, request: CompletionRequest
    ) -> CompletionStream:
        """Admit the completion and return its stream; raises TenantMismatch,
        ModelNotFound, InvalidInput, RateLimited or QuotaExceeded."""
        if tenant.id != principal.tenant_id:
            raise TenantMismatch("The principal is not of this tenant.")
        if request.model not in MODELS:
            raise ModelNotFound(f"The model {request.model!r} does not exist; see /v1/models.")
        _check_turns(request.turns, self._settings.max_message_chars)
        draft = CompletionDraft(principal, request)
        draft.model_name = tenant.settings.model or self._settings.model
        if self._admission is not None:
            async with self._uow() as uow:
                draft.reservation_id = await self._admission(
                    uow, principal, tenant, self._estimate(request)
                )
                await uow.commit()
        events = self._events(draft, self._prompts.system_prompt(tenant))
        await anext(events)  # into its ``try``: from here on, closing it settles
        return CompletionStream(
            f"chatcmpl-{self._ids.new_id().hex}", self._clock.now(), request.model, events
        )

    async def drain(self) -> None:
        """Wait until the usage of every completion settling in the background is recorded."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    def _estimate(self, request: CompletionRequest) -> int:
        reply = [n for n in (request.max_tokens, self._settings.max_reply_tokens) if n]
        return self._settings.context_budget_tokens + (
            min(reply) if reply else REPLY_ESTIMATE_TOKENS
        )

    async def _events(
        self, draft: CompletionDraft, system_prompt: str
    ) -> AsyncGenerator[ChatEvent, None]:
        settled = False
        try:
            yield Done("stop")  # a marker that ``start`` takes, never seen by a reader
            try:
                events = self._model.stream(await self._model_request(draft, system_prompt))
                try:
                    async for event in events:
                        if isinstance(event, TextDelta):
                            if event.text:
                                draft.pieces.append(event.text)
                                yield Delta(event.text)
                        else:
                            draft.completion = event
                finally:
                    await _close(events)
                draft.finish_reason = draft.completion.finish_reason if draft.completion else "stop"
            except ChatcoreError as exc:
                draft.finish_reason, draft.error = "error", exc
            settled = True
            await self._settle(draft)
            if draft.error is not None:
                yield Error(draft.error.code, draft.error.detail)
                return
            if draft.citations is not None:
                yield draft.citations
            yield Usage(*draft.tokens())
            yield Done(draft.finish_reason)
        except BaseException as exc:
            if not settled:
                if isinstance(exc, Exception):
                    draft.finish_reason = "error"
                with contextlib.suppress(Exception):  # logged by _record
                    await self._settle(draft)
            raise

    async def _model_request(self, draft: CompletionDraft, system_prompt: str) -> ModelRequest:
        request, budget = draft.request, self._settings.context_budget_tokens
        system = [t.content for t in request.turns if t.role == "system" and t.content]
        spoken = [t for t in request.turns if t.role != "system" and t.content.strip()]
        last = spoken[-1]
        passages_cost, passages = 0, []
        if request.model == DOCUMENTS_MODEL and self._retriever is not None:
            question = next(t.content for t in reversed(spoken) if t.role == "user")
            found = await self._retriever.retrieve(
                draft.principal, question, self._settings.documents_k
            )
            kept, passages_cost = fit_passages(found, budget // 2)
            passages = [item.passage for item in kept]
            draft.citations = citations_of(kept)
        # The tenant's prompt first: the deployment's rules stand before the caller's.
        prompt = "\n\n".join(p for p in (system_prompt, *system) if p)
        *context, answered = build_context(
            prompt, spoken[:-1], last.content, budget - passages_cost
        )
        turns = (*context, Turn(last.role, answered.content))
        draft.prompt_estimate = context_tokens(turns) + passages_cost
        max_tokens = [n for n in (request.max_tokens, self._settings.max_reply_tokens) if n]
        return ModelRequest(
            turns=turns,
            model=draft.model_name,
            max_tokens=min(max_tokens) if max_tokens else None,
            passages=tuple(passages),
            temperature=request.temperature,
            top_p=request.top_p,
            stop=request.stop,
        )

    async def _settle(self, draft: CompletionDraft) -> None:
        # In a task of its own, shielded: a reader cancelled again and again cannot
        # keep the usage from being recorded.
        task = asyncio.create_task(self._record(draft))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        await asyncio.shield(task)

    async def _record(self, draft: CompletionDraft) -> None:
        prompt_tokens, completion_tokens = draft.tokens()
        principal = draft.principal
        try:
            await self._usage.record(
                UsageRecord(
                    tenant_id=principal.tenant_id,
                    principal_id=principal.id,
                    dialog_id=None,
                    model=draft.completion.model if draft.completion else draft.model_name,
                    prompt_tokens=prompt_tokens,
                    completion_tokens=completion_tokens,
                    at=self._clock.now(),
                    reservation_id=draft.reservation_id,
                    api_key_id=principal.api_key_id,
                )
            )
        except Exception:
            log.exception("Recording the usage of a completion failed")
            raise


def _check_turns(turns: tuple[Turn, ...], max_chars: int) -> None:
    if len(turns) > MAX_TURNS:
        raise InvalidInput("messages", f"at most {MAX_TURNS} messages")
    for turn in turns:
        if len(turn.content) > max_chars:
            raise InvalidInput("messages", f"each message holds at most {max_chars} characters")
    spoken = [t for t in turns if t.role != "system" and t.content.strip()]
    if not any(t.role == "user" for t in spoken):
        raise InvalidInput("messages", "must hold a user message with some text")


async def _close(events: object) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        try:
            await aclose()
        except Exception:
            log.exception("Closing the model stream failed")
