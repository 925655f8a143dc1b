"""Tenants: each a separate product with its own settings, users and data.

This package exports the context's types: its model and its ports; its use cases
are exported by ``chatcore.tenants.use_cases``."""

from chatcore.tenants.model import AuthMethod, Tenant, TenantSettings
from chatcore.tenants.ports import TenantRepository

__all__ = [
    "AuthMethod",
    "Tenant",
    "TenantRepository",
    "TenantSettings",
]
