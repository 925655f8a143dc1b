"""Who is calling: a signed-in user or an anonymous session, always inside one tenant."""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec

from chatcore.kernel import TenantId

PrincipalKind = Literal["user", "anonymous"]


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """The verified caller of a request. ``id`` owns data: a user's id, or, for an
    anonymous caller, the id of its session."""

    tenant_id: TenantId
    id: uuid.UUID
    kind: PrincipalKind
    session_id: uuid.UUID
