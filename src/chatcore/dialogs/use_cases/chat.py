"""ChatService: a question in, a stream of reply events out, every turn stored.

Two short transactions bracket the model call and none is open while it streams.
``start`` stores the question before the first event, so the shell can still
answer 404 or 422; the reply is stored when its stream ends, however it ends. That
last store runs in a task of its own, shielded and referenced by the service, so a
consumer cancelled over and over (an anyio cancel scope) cannot interrupt it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import datetime

import msgspec

from chatcore.admission import ChatAdmission
from chatcore.dialogs.cancel import CancelRequested, CancelSwitch
from chatcore.dialogs.context import MIN_BUDGET, build_context, context_tokens, fit_passages
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
from chatcore.dialogs.model import (
    MAX_MESSAGE,
    Dialog,
    Message,
    MessageId,
    after,
    title_from_message,
    validate_message,
)
from chatcore.dialogs.ports import (
    ChatModel,
    ModelEvent,
    ModelRequest,
    PromptSource,
    Retriever,
    TextDelta,
    Turn,
    UsageRecorder,
)
from chatcore.dialogs.reply import ReplyDraft
from chatcore.dialogs.stream import ChatStream
from chatcore.errors import ChatcoreError, NotFound, TenantMismatch
from chatcore.identity.principal import Principal
from chatcore.kernel import Clock, DialogId, IdFactory
from chatcore.tenants.model import Tenant
from chatcore.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("chatcore.dialogs")
REPLY_ESTIMATE_TOKENS = 1_000  # a long reply, assumed when max_reply_tokens sets no bound


class ChatRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A question, in one of the principal's dialogs or (no ``dialog_id``) a new one."""

    message: str
    dialog_id: DialogId | None = None
    use_documents: bool = True


class ChatSettings(msgspec.Struct, frozen=True, kw_only=True):
    """How replies are made. ``model`` is asked for unless the tenant names one (None
    leaves the choice to the ChatModel); the budget covers system prompt, history,
    question and passages (at most half of it)."""

    model: str | None = None
    context_budget_tokens: int = 6_000
    max_reply_tokens: int | None = None
    history_messages: int = 100
    documents_k: int = 5
    max_message_chars: int = MAX_MESSAGE

    def __post_init__(self) -> None:
        if self.context_budget_tokens < 2 * MIN_BUDGET:
            raise ValueError(f"context_budget_tokens must be at least {2 * MIN_BUDGET}")
        if self.history_messages < 0 or self.documents_k < 1 or self.max_message_chars < 1:
            raise ValueError("history_messages, documents_k and max_message_chars are counts")

    @property
    def reservation_tokens(self) -> int:
        """What a chat is assumed to cost before it runs: a full context and a reply."""
        return self.context_budget_tokens + (self.max_reply_tokens or REPLY_ESTIMATE_TOKENS)


class ChatService:
    """Answer questions in dialogs, streaming the model's reply and storing both."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        model: ChatModel,
        prompts: PromptSource,
        usage: UsageRecorder,
        clock: Clock,
        ids: IdFactory,
        settings: ChatSettings | None = None,
        retriever: Retriever | None = None,
        admission: ChatAdmission | None = None,
    ) -> None:
        self._uow, self._model, self._prompts, self._usage = uow, model, prompts, usage
        self._clock, self._ids = clock, ids
        self._settings = settings or ChatSettings()
        self._retriever = retriever
        self._admission = admission
        self._pending: set[asyncio.Task[None]] = set()

    async def start(self, principal: Principal, tenant: Tenant, request: ChatRequest) -> ChatStream:
        """Admit the chat (every chat, without an admission), store the question and
        return its reply's stream; raises TenantMismatch, InvalidInput, RateLimited,
        QuotaExceeded, or NotFound (a dialog that is not the principal's)."""
        if tenant.id != principal.tenant_id:
            raise TenantMismatch("The principal is not of this tenant.")
        question = validate_message(request.message, self._settings.max_message_chars)
        tenant_id, owner_id = principal.tenant_id, principal.id
        at = self._clock.now()
        async with self._uow() as uow:
            reservation_id = None
            if self._admission is not None:  # first: a refused chat stores nothing
                reservation_id = await self._admission(
                    uow, principal, tenant, self._settings.reservation_tokens
                )
            history: list[Message] = []
            if request.dialog_id is None:
                dialog = Dialog(
                    id=DialogId(self._ids.new_id()),
                    tenant_id=tenant_id,
                    owner_id=owner_id,
                    title=title_from_message(question),
                    created_at=at,
                    updated_at=at,
                )
                await uow.dialogs.add(tenant_id, dialog)
            else:
                found = await uow.dialogs.get(tenant_id, owner_id, request.dialog_id)
                if found is None:
                    raise NotFound("No such dialog.")
                dialog = found
                history = await uow.messages.recent(
                    tenant_id, owner_id, dialog.id, self._settings.history_messages
                )
                at = after(at, dialog.updated_at)
                await uow.dialogs.touch(tenant_id, owner_id, dialog.id, at)
            asked = Message(
                id=MessageId(self._ids.new_id()),
                tenant_id=tenant_id,
                dialog_id=dialog.id,
                owner_id=owner_id,
                role="user",
                content=question,
                created_at=at,
            )
            await uow.messages.add(tenant_id, asked)
            await uow.commit()
        reply = ReplyDraft(
            principal=principal,
            meta=Meta(
                dialog_id=dialog.id,
                user_message_id=asked.id,
                assistant_message_id=MessageId(self._ids.new_id()),
            ),
            question=question,
            # Empty replies (cancelled before a word) are not worth a provider's tokens.
            history=[Turn(m.role, m.content) for m in history if m.content],
            system_prompt=self._prompts.system_prompt(tenant),
            model=tenant.settings.model or self._settings.model,
            use_documents=request.use_documents,
            reservation_id=reservation_id,
        )
        switch = CancelSwitch()
        return ChatStream(reply.meta, self._events(reply, switch), switch)

    async def drain(self) -> None:
        """Wait until every reply being stored in the background is stored."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def _events(
        self, reply: ReplyDraft, switch: CancelSwitch
    ) -> AsyncGenerator[ChatEvent, None]:
        """Meta, Delta..., then Citations?, Usage, Done; or Error and the end."""
        settled = False
        try:
            yield reply.meta
            try:
                request = await switch.call(functools.partial(self._request, reply))
                reply.events = events = self._model.stream(request)
                while True:
                    event = await switch.call(events.__anext__)
                    if isinstance(event, TextDelta):
                        if event.text:
                            reply.pieces.append(event.text)
                            yield Delta(event.text)
                    else:
                        reply.completion = event
            except StopAsyncIteration:
                reply.ended()
            except CancelRequested:
                reply.finish_reason = "cancelled"
            except ChatcoreError as exc:
                reply.failed(exc)
            settled = True
            try:
                await self._settle(reply)
            except ChatcoreError as exc:
                yield Error(exc.code, exc.detail)
                return
            if reply.error is not None:
                yield Error(reply.error.code, reply.error.detail)
                return
            if reply.citations is not None:
                yield reply.citations
            prompt_tokens, completion_tokens = reply.tokens()
            yield Usage(prompt_tokens, completion_tokens)
            yield Done(reply.finish_reason)
        except BaseException as exc:
            # Closed early or cancelled (a dropped client: the reason stays "cancelled"),
            # or broken by a bug ("error"): the reply so far is stored all the same.
            if not settled:
                if isinstance(exc, Exception):
                    reply.finish_reason = "error"
                with contextlib.suppress(Exception):  # logged by _finish
                    await self._settle(reply)
            raise

    async def _request(self, reply: ReplyDraft) -> ModelRequest:
        budget = self._settings.context_budget_tokens
        passages_cost = 0
        passages = []
        if reply.use_documents and self._retriever is not None:
            found = await self._retriever.retrieve(
                reply.principal, reply.question, self._settings.documents_k
            )
            kept, passages_cost = fit_passages(found, budget // 2)
            passages = [item.passage for item in kept]
            if kept:
                reply.citations = Citations(
                    [
                        CitationItem(
                            document_id=item.passage.document_id,
                            filename=item.passage.filename,
                            page=item.passage.page,
                            chunk_id=item.chunk_id,
                            score=item.score,
                        )
                        for item in kept
                    ]
                )
        turns = build_context(
            reply.system_prompt, reply.history, reply.question, budget - passages_cost
        )
        reply.prompt_estimate = context_tokens(turns) + passages_cost
        return ModelRequest(
            turns=turns,
            model=reply.model,
            max_tokens=self._settings.max_reply_tokens,
            passages=tuple(passages),
        )

    async def _settle(self, reply: ReplyDraft) -> None:
        task = asyncio.create_task(self._finish(reply))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        await asyncio.shield(task)

    async def _finish(self, reply: ReplyDraft) -> None:
        """Close the model stream, store the reply, record its usage."""
        at = self._clock.now()
        try:
            await _close(reply.events)
            try:
                await self._store(reply, at)
            finally:
                await self._usage.record(reply.usage(at))
        except Exception:
            log.exception("Finishing the reply %s failed", reply.meta.assistant_message_id)
            raise

    async def _store(self, reply: ReplyDraft, at: datetime) -> None:
        tenant_id, owner_id = reply.principal.tenant_id, reply.principal.id
        async with self._uow() as uow:
            dialog = await uow.dialogs.get(tenant_id, owner_id, reply.meta.dialog_id)
            if dialog is None:  # deleted while the model was answering
                return
            stored = reply.message(after(at, dialog.updated_at))
            await uow.messages.add(tenant_id, stored)
            await uow.dialogs.touch(tenant_id, owner_id, dialog.id, stored.created_at)
            await uow.commit()


async def _close(events: AsyncIterator[ModelEvent] | None) -> None:
    """Close a model stream early (the port cancels the call upstream on ``aclose``)."""
    aclose = getattr(events, "aclose", None)
    if aclose is None:
        return
    try:
        await aclose()
    except Exception:
        log.exception("Closing the model stream failed")
