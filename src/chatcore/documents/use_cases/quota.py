"""The storage quota: the bytes a principal's documents may take, files and their
extracted text together.

Every check runs inside the transaction that adds the bytes, on the owner's locked
storage, so concurrent uploads and ingestions of one owner are admitted one after
another and can never jointly pass the quota.
"""

from __future__ import annotations

import uuid

import msgspec

from chatcore.errors import StorageQuotaExceeded
from chatcore.identity.principal import PrincipalKind
from chatcore.kernel import TenantId, UserId
from chatcore.unit_of_work import UnitOfWork

MB = 1024 * 1024


class StorageQuotas(msgspec.Struct, frozen=True, kw_only=True):
    """Bytes a principal's documents may take where its tenant sets no
    ``storage_quota_mb``: less for anonymous sessions, which anyone may start."""

    user_bytes: int = 200 * MB
    anonymous_bytes: int = 20 * MB

    def default_for(self, kind: PrincipalKind) -> int:
        """The deployment's quota for a principal of this kind."""
        return self.user_bytes if kind == "user" else self.anonymous_bytes


async def storage_quota(
    uow: UnitOfWork, quotas: StorageQuotas, tenant_id: TenantId, kind: PrincipalKind
) -> int:
    """The quota of a principal of this kind: its tenant's, else the deployment's."""
    tenant = await uow.tenants.get(tenant_id)
    if tenant is not None and tenant.settings.storage_quota_mb is not None:
        return tenant.settings.storage_quota_mb * MB
    return quotas.default_for(kind)


async def owner_kind(uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID) -> PrincipalKind:
    """Whether an owner of documents is a user or an anonymous session (whose id is
    its session's, never a user's)."""
    user = await uow.users.get(tenant_id, UserId(owner_id))
    return "anonymous" if user is None else "user"


async def admit_storage(
    uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID, adding: int, quota: int
) -> None:
    """Lock the owner's storage until ``uow`` ends and check that ``adding`` more bytes
    fit in ``quota``; raises StorageQuotaExceeded."""
    used = await uow.documents.lock_storage(tenant_id, owner_id)
    if used + adding > quota:
        raise StorageQuotaExceeded(
            f"Your documents may take at most {quota / MB:g} MB (files and their text); "
            "delete some to make room."
        )
