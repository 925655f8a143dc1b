"""What the dialogs context needs from the outside world: storage, the language
model (a request in, a stream of text deltas and one completion out), prompts,
retrieval and usage recording.

Every repository method takes the tenant and the owner from the verified
principal: another owner's dialog is simply not found, whatever id is guessed.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Literal, Protocol

import msgspec

from chatcore.dialogs.model import Dialog, FinishReason, Message, MessageId
from chatcore.errors import ChatcoreError
from chatcore.identity.principal import Principal
from chatcore.kernel import DialogId, TenantId, UsageRecord
from chatcore.pagination import Page, PageRequest
from chatcore.tenants.model import Tenant


class DialogRepository(Protocol):
    """Stored dialogs, each visible to its owner only."""

    async def add(self, tenant_id: TenantId, dialog: Dialog) -> None:
        """Store a new dialog of this tenant."""
        ...

    async def get(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId
    ) -> Dialog | None:
        """The dialog, or None if it is not this owner's."""
        ...

    async def list(
        self, tenant_id: TenantId, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[Dialog]:
        """The owner's dialogs, newest (by creation) first."""
        ...

    async def rename(
        self,
        tenant_id: TenantId,
        owner_id: uuid.UUID,
        dialog_id: DialogId,
        title: str,
        at: datetime,
    ) -> bool:
        """Set the title and ``updated_at``; False if the dialog is not this owner's."""
        ...

    async def touch(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId, at: datetime
    ) -> bool:
        """Set ``updated_at``; False if the dialog is not this owner's."""
        ...

    async def delete(self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId) -> bool:
        """Delete the dialog and its messages; False if it is not this owner's."""
        ...

    async def delete_owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        """Delete every dialog of the owner, with their messages."""
        ...


class MessageRepository(Protocol):
    """Stored messages, each visible to the owner of its dialog only."""

    async def add(self, tenant_id: TenantId, message: Message) -> None:
        """Store a message in a dialog the caller has found to be the owner's."""
        ...

    async def of_dialog(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId
    ) -> list[Message]:
        """Every message of the dialog, oldest first; empty if it is not this owner's."""
        ...

    async def recent(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId, limit: int
    ) -> list[Message]:
        """The newest ``limit`` messages of the dialog, returned oldest first."""
        ...


class AbandonedReply(msgspec.Struct, frozen=True, kw_only=True):
    """A reply left unfinished by a server process that stopped writing it, with the
    admission hold its usage settles."""

    reply: Message
    reservation_id: uuid.UUID | None


class ReplyRepository(Protocol):
    """Assistant replies stored as they grow: started empty (``finish_reason`` None),
    rewritten while the model writes (each write a heartbeat), finished once."""

    async def begin(
        self, tenant_id: TenantId, reply: Message, reservation_id: uuid.UUID | None
    ) -> None:
        """Store a reply in progress (its ``finish_reason`` is None), beating now."""
        ...

    async def grow(
        self,
        tenant_id: TenantId,
        reply_id: MessageId,
        content: str,
        prompt_tokens: int,
        at: datetime,
    ) -> bool:
        """Store the text so far of a reply in progress and beat at ``at``; whether a
        stop was asked for it. A finished reply is left as it is (False)."""
        ...

    async def request_stop(
        self, tenant_id: TenantId, owner_id: uuid.UUID, reply_id: MessageId
    ) -> bool:
        """Ask the process writing the owner's reply to stop it (it learns so at its next
        ``grow``); False if it is not the owner's, or not in progress."""
        ...

    async def finish(self, tenant_id: TenantId, reply: Message) -> bool:
        """Store the reply as it ended (content, finish reason, counts, model); False,
        changing nothing, if it is gone or was already finished."""
        ...

    async def get(
        self, tenant_id: TenantId, owner_id: uuid.UUID, reply_id: MessageId
    ) -> Message | None:
        """The owner's assistant message, finished or not; None for anything else."""
        ...

    async def abandoned(self, beat_before: datetime, limit: int) -> list[AbandonedReply]:
        """Up to ``limit`` replies of any tenant still in progress whose last beat is
        older than ``beat_before``, oldest first."""
        ...


class PromptSource(Protocol):
    """Where the system prompt of a tenant's chats comes from."""

    def system_prompt(self, tenant: Tenant) -> str:
        """The system prompt for this tenant: its own, or the deployment's default."""
        ...


class RetrievedPassage(msgspec.Struct, frozen=True, kw_only=True):
    """A passage found for a question, with the chunk it came from and its relevance."""

    passage: Passage
    chunk_id: str
    score: float


class Retriever(Protocol):
    """Finds passages of the principal's own documents relevant to a question."""

    async def retrieve(self, principal: Principal, query: str, k: int) -> list[RetrievedPassage]:
        """Up to ``k`` passages, most relevant first."""
        ...


class UsageRecorder(Protocol):
    """Where the cost of every model call is recorded."""

    async def record(self, record: UsageRecord) -> None:
        """Record one model call's usage."""
        ...


Role = Literal["system", "user", "assistant"]


class Turn(msgspec.Struct, frozen=True):
    """One message of the context sent to a model."""

    role: Role
    content: str


class Passage(msgspec.Struct, frozen=True, kw_only=True):
    """A retrieved piece of a document the answer may draw on."""

    text: str
    document_id: str
    filename: str
    page: int


class ModelRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What to ask: the context (system prompt first), and optionally a model name,
    a cap on the reply's tokens, passages retrieved for this question, and sampling
    (None: the model's defaults; a model that cannot sample ignores them)."""

    turns: tuple[Turn, ...]
    model: str | None = None
    max_tokens: int | None = None
    passages: tuple[Passage, ...] = ()
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()


class TextDelta(msgspec.Struct, frozen=True):
    """The next piece of the reply."""

    text: str


class Completion(msgspec.Struct, frozen=True, kw_only=True):
    """The end of a reply: why it ended, what it cost, and which model wrote it."""

    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    model: str


ModelEvent = TextDelta | Completion


class ModelError(ChatcoreError):
    """The model provider failed; ``code`` is one of the stable llm_* codes.

    The provider's own message is for the log; ``detail`` is safe to show a client.
    """

    code = "llm_unavailable"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class ChatModel(Protocol):
    """A language model that streams its reply."""

    def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        """Text deltas, then exactly one Completion; raises ModelError on failure.

        Closing the iterator early (``aclose()``) cancels the call upstream.
        """
        ...
