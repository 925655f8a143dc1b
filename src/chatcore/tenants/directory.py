"""A short-lived cache of tenants, because every request names one."""

from __future__ import annotations

from datetime import datetime, timedelta

from chatcore.kernel import Clock
from chatcore.tenants.model import Tenant
from chatcore.tenants.use_cases import FindTenant


class TenantDirectory:
    """Finds tenants by id or slug, remembering each answer for ``ttl`` so the hot
    path does not read the database; changes made elsewhere show within ``ttl``."""

    def __init__(self, find: FindTenant, clock: Clock, ttl: timedelta = timedelta(seconds=30)):
        self._find, self._clock, self._ttl = find, clock, ttl
        self._cache: dict[str, tuple[datetime, Tenant]] = {}

    async def __call__(self, reference: str) -> Tenant:
        """The tenant whose id or slug is ``reference``; raises TenantNotFound."""
        now = self._clock.now()
        hit = self._cache.get(reference)
        if hit is not None and hit[0] > now:
            return hit[1]
        tenant = await self._find(reference)
        expires = now + self._ttl
        self._cache[reference] = (expires, tenant)
        return tenant

    def forget(self, tenant: Tenant) -> None:
        """Drop a changed tenant, so this process sees the change at once."""
        for key in (str(tenant.id), tenant.slug):
            self._cache.pop(key, None)
