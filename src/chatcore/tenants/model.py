"""Tenants: the isolated spaces every other record lives in."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

import msgspec

from chatcore.errors import InvalidInput
from chatcore.kernel import TenantId

AuthMethod = Literal["otp", "password", "anonymous"]
ALL_AUTH_METHODS: tuple[AuthMethod, ...] = ("otp", "password", "anonymous")

# The slug's form for the JSON schema; the check here matches the whole string.
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# A slug is also the first segment of the tenant's web pages (/{slug}/chat), so it
# cannot be one of the paths the API and the page assets already own.
RESERVED_SLUGS = frozenset({"v1", "health", "schema", "assets"})
MAX_NAME = 200
MAX_SYSTEM_PROMPT = 20_000


class TenantSettings(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=False):
    """What a tenant's administrator may tune; ``None`` means the deployment default."""

    system_prompt: str | None = None
    model: str | None = None
    auth_methods: tuple[AuthMethod, ...] = ALL_AUTH_METHODS
    monthly_token_quota: int | None = None
    tenant_monthly_token_cap: int | None = None
    rate_limit_per_minute: int | None = None
    storage_quota_mb: int | None = None

    def validated(self) -> TenantSettings:
        """These settings, if every value is allowed; raises InvalidInput otherwise."""
        if self.system_prompt is not None and len(self.system_prompt) > MAX_SYSTEM_PROMPT:
            raise InvalidInput("settings.system_prompt", f"at most {MAX_SYSTEM_PROMPT} characters")
        if len(set(self.auth_methods)) != len(self.auth_methods):
            raise InvalidInput("settings.auth_methods", "must not repeat a method")
        for field in (
            "monthly_token_quota",
            "tenant_monthly_token_cap",
            "rate_limit_per_minute",
            "storage_quota_mb",
        ):
            value = getattr(self, field)
            if value is not None and value < 0:
                raise InvalidInput(f"settings.{field}", "must not be negative")
        return self

    def allows(self, method: AuthMethod) -> bool:
        """Whether users of this tenant may sign in this way."""
        return method in self.auth_methods


def is_slug(text: str) -> bool:
    """Whether ``text`` has the shape of a slug (whether or not a tenant has it)."""
    return _SLUG.fullmatch(text) is not None


def validate_slug(slug: str) -> str:
    """A lowercase, URL-safe slug of 1-63 characters; raises InvalidInput otherwise."""
    if not is_slug(slug):
        raise InvalidInput(
            "slug", "1-63 lowercase letters, digits or hyphens, not starting or ending with '-'"
        )
    if slug in RESERVED_SLUGS:
        raise InvalidInput("slug", f"'{slug}' is reserved for the server's own paths")
    return slug


def validate_name(name: str) -> str:
    """A display name: trimmed, non-empty, at most 200 characters."""
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise InvalidInput("name", f"1-{MAX_NAME} printable characters")
    return name


class Tenant(msgspec.Struct, frozen=True, kw_only=True):
    """One isolated space: its users, dialogs and documents are invisible to others."""

    id: TenantId
    slug: str
    name: str
    settings: TenantSettings
    created_at: datetime
