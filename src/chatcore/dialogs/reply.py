"""A reply in the making: whose it is, what the model has said so far (its buffer),
how it ended, and what it becomes once it ends (a stored message and a usage record)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from chatcore.dialogs.buffer import ReplyBuffer
from chatcore.dialogs.events import Citations, Meta
from chatcore.dialogs.model import FinishReason, Message
from chatcore.dialogs.ports import Completion, ModelEvent, Turn
from chatcore.dialogs.tokens import estimate_tokens
from chatcore.errors import ChatcoreError
from chatcore.identity.principal import Principal
from chatcore.kernel import UsageRecord


class ReplyDraft:
    """The mutable state of one reply while it runs; its ReplyRun's alone."""

    def __init__(
        self,
        *,
        principal: Principal,
        meta: Meta,
        question: str,
        history: list[Turn],
        system_prompt: str,
        model: str | None,
        use_documents: bool,
        started_at: datetime,
        reservation_id: uuid.UUID | None = None,
    ) -> None:
        self.principal = principal
        self.meta = meta
        self.question = question
        self.history = history
        self.system_prompt = system_prompt
        self.model = model
        self.use_documents = use_documents
        self.started_at = started_at  # the stored message's time, which stays
        self.reservation_id = reservation_id
        self.buffer = ReplyBuffer()
        self.events: AsyncIterator[ModelEvent] | None = None
        self.completion: Completion | None = None
        self.citations: Citations | None = None
        self.prompt_estimate = 0
        self.finish_reason: FinishReason = "cancelled"  # until it ends otherwise
        self.error: ChatcoreError | None = None

    def ended(self) -> None:
        """The model finished: its own finish reason, or ``stop`` if it gave none."""
        self.finish_reason = self.completion.finish_reason if self.completion else "stop"

    def failed(self, error: ChatcoreError) -> None:
        """The reply broke off with ``error``."""
        self.finish_reason, self.error = "error", error

    def tokens(self) -> tuple[int, int]:
        """Prompt and completion tokens: the provider's, or estimates if it never said."""
        if self.completion is not None:
            return self.completion.prompt_tokens, self.completion.completion_tokens
        return self.prompt_estimate, estimate_tokens(self.text())

    def message(self) -> Message:
        """The reply as the dialog's assistant message."""
        prompt_tokens, completion_tokens = self.tokens()
        return Message(
            id=self.meta.assistant_message_id,
            tenant_id=self.principal.tenant_id,
            dialog_id=self.meta.dialog_id,
            owner_id=self.principal.id,
            role="assistant",
            content=self.text(),
            created_at=self.started_at,
            finish_reason=self.finish_reason,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            model=self.model_name(),
        )

    def usage(self, at: datetime) -> UsageRecord:
        """What the reply cost, for the principal's account."""
        prompt_tokens, completion_tokens = self.tokens()
        return UsageRecord(
            tenant_id=self.principal.tenant_id,
            principal_id=self.principal.id,
            dialog_id=self.meta.dialog_id,
            model=self.model_name(),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            at=at,
            reservation_id=self.reservation_id,
            api_key_id=self.principal.api_key_id,
        )

    def text(self) -> str:
        """The reply so far (NUL-free, as Postgres text must be: the run drops NULs)."""
        return self.buffer.text()

    def model_name(self) -> str | None:
        """The model that answered, as it said, else the one asked for (if named)."""
        return self.completion.model if self.completion else self.model
