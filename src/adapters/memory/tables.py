"""The rows an in-memory database holds, one dict per table."""

from __future__ import annotations

from dataclasses import dataclass, field

from chatcore.tenants.model import Tenant, TenantId


@dataclass
class Tables:
    """Every table, keyed by primary key; entities are frozen, so copies are cheap."""

    tenants: dict[TenantId, Tenant] = field(default_factory=dict)
