"""Dialog use cases: create, list, read, rename, delete. Chatting is ``ChatService``."""

from __future__ import annotations

import msgspec

from chatcore.dialogs.model import DEFAULT_TITLE, Dialog, Message, validate_title
from chatcore.errors import NotFound
from chatcore.identity.principal import Principal
from chatcore.kernel import Clock, DialogId, IdFactory
from chatcore.pagination import Page, PageRequest
from chatcore.unit_of_work import UnitOfWorkFactory


class DialogDetail(msgspec.Struct, frozen=True, kw_only=True):
    """A dialog with all its messages, oldest first."""

    dialog: Dialog
    messages: list[Message]


class CreateDialog:
    """Start an empty dialog."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdFactory) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    async def __call__(self, principal: Principal, title: str | None = None) -> Dialog:
        """The new dialog, titled ``title`` or "New dialog"; raises InvalidInput."""
        now = self._clock.now()
        dialog = Dialog(
            id=DialogId(self._ids.new_id()),
            tenant_id=principal.tenant_id,
            owner_id=principal.id,
            title=DEFAULT_TITLE if title is None else validate_title(title),
            created_at=now,
            updated_at=now,
        )
        async with self._uow() as uow:
            await uow.dialogs.add(principal.tenant_id, dialog)
            await uow.commit()
        return dialog


class ListDialogs:
    """The principal's dialogs, newest first, a page at a time."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, page: PageRequest) -> Page[Dialog]:
        """One page of dialogs."""
        async with self._uow(read_only=True) as uow:
            return await uow.dialogs.list(principal.tenant_id, principal.id, page)


class GetDialog:
    """One of the principal's dialogs with its messages."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, dialog_id: DialogId) -> DialogDetail:
        """The dialog and its messages; raises NotFound."""
        async with self._uow(read_only=True) as uow:
            dialog = await uow.dialogs.get(principal.tenant_id, principal.id, dialog_id)
            if dialog is None:
                raise NotFound("No such dialog.")
            messages = await uow.messages.of_dialog(principal.tenant_id, principal.id, dialog_id)
        return DialogDetail(dialog=dialog, messages=messages)


class RenameDialog:
    """Give one of the principal's dialogs a new title."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, principal: Principal, dialog_id: DialogId, title: str) -> Dialog:
        """The renamed dialog; raises InvalidInput or NotFound."""
        title = validate_title(title)
        async with self._uow() as uow:
            dialog = await uow.dialogs.get(principal.tenant_id, principal.id, dialog_id)
            if dialog is None:
                raise NotFound("No such dialog.")
            # updated_at never goes back: new messages are timed after it.
            at = max(self._clock.now(), dialog.updated_at)
            await uow.dialogs.rename(principal.tenant_id, principal.id, dialog_id, title, at)
            await uow.commit()
        return msgspec.structs.replace(dialog, title=title, updated_at=at)


class DeleteDialog:
    """Delete one of the principal's dialogs and its messages."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, dialog_id: DialogId) -> None:
        """Delete it; raises NotFound."""
        async with self._uow() as uow:
            if not await uow.dialogs.delete(principal.tenant_id, principal.id, dialog_id):
                raise NotFound("No such dialog.")
            await uow.commit()
