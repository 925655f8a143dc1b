"""Who is calling: a signed-in user or an anonymous session, always inside one tenant."""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec

from chatcore.kernel import TenantId

PrincipalKind = Literal["user", "anonymous"]


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """The verified caller of a request. ``id`` owns data: a user's id, or, for an
    anonymous caller, the id of its session. A user acting by an API key has the
    key's id as ``api_key_id`` (and as ``session_id``: the key is its credential)."""

    tenant_id: TenantId
    id: uuid.UUID
    kind: PrincipalKind
    session_id: uuid.UUID
    api_key_id: uuid.UUID | None = None

    @property
    def signed_in(self) -> bool:
        """Whether the caller is a user with a session of its own: not an anonymous
        session, not an API key (what managing keys and deleting the account need)."""
        return self.kind == "user" and self.api_key_id is None
