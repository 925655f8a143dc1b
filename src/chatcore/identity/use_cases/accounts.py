"""The caller's own account: reading it, and deleting it with everything it owns."""

from __future__ import annotations

from collections.abc import Sequence

from chatcore.erasure import OwnedDataEraser
from chatcore.errors import Forbidden, NotFound
from chatcore.identity.model import User
from chatcore.identity.principal import Principal
from chatcore.identity.use_cases.erasure import erase_principal
from chatcore.kernel import UserId
from chatcore.unit_of_work import UnitOfWorkFactory


class GetAccount:
    """The signed-in user's account."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal) -> User:
        """The user; raises NotFound for an anonymous principal (it has no account)."""
        if principal.kind != "user":
            raise NotFound("An anonymous session has no account.")
        async with self._uow(read_only=True) as uow:
            user = await uow.users.get(principal.tenant_id, UserId(principal.id))
        if user is None:
            raise NotFound("No such account.")
        return user


class DeleteAccount:
    """Hard-delete the caller (a user, or an anonymous principal) and all it owns."""

    def __init__(self, uow: UnitOfWorkFactory, erasers: Sequence[OwnedDataEraser] = ()) -> None:
        """``erasers``: every other context's; identity's own always runs, last."""
        self._uow, self._erasers = uow, tuple(erasers)

    async def __call__(self, principal: Principal) -> None:
        """Delete every row the principal owns, in one transaction; its sessions end.
        Raises Forbidden for a caller acting by an API key: a key may not end its user."""
        if principal.api_key_id is not None:
            raise Forbidden("An API key cannot delete its account.")
        async with self._uow() as uow:
            await erase_principal(uow, principal.tenant_id, principal.id, self._erasers)
            await uow.commit()
