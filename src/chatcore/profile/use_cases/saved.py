"""Saved items: keep a text (often a message of a dialog), list them, delete one."""

from __future__ import annotations

import uuid

from chatcore.errors import NotFound
from chatcore.identity.principal import Principal
from chatcore.kernel import Clock, IdFactory
from chatcore.pagination import Page, PageRequest
from chatcore.profile.model import SavedItem, SavedItemId, validate_note, validate_saved_text
from chatcore.unit_of_work import UnitOfWorkFactory


class SaveItem:
    """Keep a text for the principal (a user or an anonymous session)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdFactory) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    async def __call__(
        self,
        principal: Principal,
        text: str,
        note: str | None = None,
        message_id: uuid.UUID | None = None,
    ) -> SavedItem:
        """The stored item; raises InvalidInput. ``message_id`` is kept as the client's
        reference: the text is a copy, so it outlives the dialog it came from."""
        item = SavedItem(
            id=SavedItemId(self._ids.new_id()),
            tenant_id=principal.tenant_id,
            owner_id=principal.id,
            message_id=message_id,
            text=validate_saved_text(text),
            note=validate_note(note),
            created_at=self._clock.now(),
        )
        async with self._uow() as uow:
            await uow.saved_items.add(principal.tenant_id, item)
            await uow.commit()
        return item


class ListSavedItems:
    """The principal's saved items, newest first, a page at a time."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, page: PageRequest) -> Page[SavedItem]:
        """One page of items."""
        async with self._uow(read_only=True) as uow:
            return await uow.saved_items.list(principal.tenant_id, principal.id, page)


class DeleteSavedItem:
    """Delete one of the principal's saved items."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, item_id: SavedItemId) -> None:
        """Delete it; raises NotFound if it is not the principal's."""
        async with self._uow() as uow:
            if not await uow.saved_items.delete(principal.tenant_id, principal.id, item_id):
                raise NotFound("No such saved item.")
            await uow.commit()
