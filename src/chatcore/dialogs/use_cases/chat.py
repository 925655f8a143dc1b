"""ChatService: a question in, a reply run out, every turn stored.

One short transaction stores the question and the reply in progress (so the shell
can still answer 404 or 422, and the dialog shows the reply from its first moment);
none is open while the model writes. The reply is a run of its own (``ReplyRun``):
it goes on when its listeners leave, is stored as it grows (``LiveReplies``) and,
however it ends, is stored and billed once by ``_settle``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import msgspec

from chatcore.admission import ChatAdmission
from chatcore.dialogs.context import (
    MIN_BUDGET,
    build_context,
    citations_of,
    context_tokens,
    fit_passages,
)
from chatcore.dialogs.events import Meta
from chatcore.dialogs.live import LiveReplies
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
    Turn,
    UsageRecorder,
)
from chatcore.dialogs.reply import ReplyDraft
from chatcore.dialogs.run import ReplyRun
from chatcore.dialogs.stream import ChatStream
from chatcore.errors import NotFound, TenantMismatch
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
    # Today's replies outlive their listeners; True stops one when its last one leaves.
    cancel_on_disconnect: bool = False

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
        live: LiveReplies,
        settings: ChatSettings | None = None,
        retriever: Retriever | None = None,
        admission: ChatAdmission | None = None,
    ) -> None:
        self._uow, self._model, self._prompts, self._usage = uow, model, prompts, usage
        self._clock, self._ids, self._live = clock, ids, live
        self._settings = settings or ChatSettings()
        self._retriever = retriever
        self._admission = admission

    async def start(self, principal: Principal, tenant: Tenant, request: ChatRequest) -> ChatStream:
        """Admit the chat (every chat, without an admission), store the question and
        start its reply; the reply's stream from its start. Raises TenantMismatch,
        InvalidInput, RateLimited, QuotaExceeded, or NotFound (a dialog that is not
        the principal's)."""
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
            meta = Meta(
                dialog_id=dialog.id,
                user_message_id=asked.id,
                assistant_message_id=MessageId(self._ids.new_id()),
            )
            model = tenant.settings.model or self._settings.model
            in_progress = Message(
                id=meta.assistant_message_id,
                tenant_id=tenant_id,
                dialog_id=dialog.id,
                owner_id=owner_id,
                role="assistant",
                content="",
                created_at=after(at, at),
                model=model,
            )
            await uow.replies.begin(tenant_id, in_progress, reservation_id)
            await uow.dialogs.touch(tenant_id, owner_id, dialog.id, in_progress.created_at)
            await uow.commit()
        reply = ReplyDraft(
            principal=principal,
            meta=meta,
            question=question,
            # Empty replies (cancelled before a word) are not worth a provider's tokens.
            history=[Turn(m.role, m.content) for m in history if m.content],
            system_prompt=self._prompts.system_prompt(tenant),
            model=model,
            use_documents=request.use_documents,
            started_at=in_progress.created_at,
            reservation_id=reservation_id,
        )
        run = ReplyRun(
            reply,
            self._model,
            self._request,
            self._settle,
            stop_when_unheard=self._settings.cancel_on_disconnect,
        )
        stream = run.listen()
        self._live.start(run)
        return stream

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
                reply.citations = citations_of(kept)
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
        """Close the model stream, store the reply as it ended, record its usage (unless
        another process already finished it as abandoned, and billed it)."""
        try:
            await _close(reply.events)
            if await self._store(reply):
                await self._usage.record(reply.usage(self._clock.now()))
        except Exception:
            log.exception("Finishing the reply %s failed", reply.meta.assistant_message_id)
            raise

    async def _store(self, reply: ReplyDraft) -> bool:
        """Whether the reply is this run's to bill: stored now, or gone with its dialog."""
        tenant_id, owner_id = reply.principal.tenant_id, reply.principal.id
        at = max(self._clock.now(), reply.started_at)
        async with self._uow() as uow:
            if await uow.replies.finish(tenant_id, reply.message()):
                await uow.dialogs.touch(tenant_id, owner_id, reply.meta.dialog_id, at)
                await uow.commit()
                return True
            return (
                await uow.replies.get(tenant_id, owner_id, reply.meta.assistant_message_id) is None
            )


async def _close(events: AsyncIterator[ModelEvent] | None) -> None:
    """Close a model stream early (the port cancels the call upstream on ``aclose``)."""
    aclose = getattr(events, "aclose", None)
    if aclose is None:
        return
    try:
        await aclose()
    except Exception:
        log.exception("Closing the model stream failed")
