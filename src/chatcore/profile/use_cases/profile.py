"""Profile use cases: read and update. Avatars are in ``avatars``, saved items in
``saved``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from chatcore.errors import Forbidden, NotFound
from chatcore.identity.model import User
from chatcore.identity.principal import Principal
from chatcore.kernel import Clock, TenantId, UserId
from chatcore.profile.model import (
    Profile,
    ProfileChanges,
    ProfilePolicy,
    ProfileView,
    validate_display_name,
    validate_locale,
    validate_settings,
)
from chatcore.unit_of_work import UnitOfWork, UnitOfWorkFactory


def user_id_of(principal: Principal) -> UserId:
    """The principal's account id; raises Forbidden for an anonymous session."""
    if principal.kind != "user":
        raise Forbidden("Sign in to have a profile.")
    return UserId(principal.id)


def blank_profile(tenant_id: TenantId, user_id: UserId, now: datetime) -> Profile:
    """The profile of a user who never changed one."""
    return Profile(tenant_id=tenant_id, user_id=user_id, updated_at=now)


async def locked_profile(
    uow: UnitOfWork, tenant_id: TenantId, user_id: UserId, now: datetime
) -> Profile:
    """The user's profile, locked in ``uow`` (a blank one stored if they had none)."""
    return await uow.profiles.lock(tenant_id, blank_profile(tenant_id, user_id, now))


async def _account(uow: UnitOfWork, tenant_id: TenantId, user_id: UserId) -> User:
    user = await uow.users.get(tenant_id, user_id)
    if user is None:
        raise NotFound("No such account.")
    return user


class GetProfile:
    """The signed-in user's profile."""

    def __init__(self, uow: UnitOfWorkFactory, policy: ProfilePolicy) -> None:
        self._uow, self._policy = uow, policy

    async def __call__(self, principal: Principal) -> ProfileView:
        """The profile; raises Forbidden for an anonymous caller, NotFound."""
        user_id = user_id_of(principal)
        async with self._uow(read_only=True) as uow:
            user = await _account(uow, principal.tenant_id, user_id)
            profile = await uow.profiles.get(principal.tenant_id, user_id)
        return view_of(
            user, profile or blank_profile(user.tenant_id, user.id, user.created_at), self._policy
        )


class UpdateProfile:
    """Change the display name, locale or settings of the signed-in user."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, policy: ProfilePolicy) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy

    async def __call__(self, principal: Principal, changes: ProfileChanges) -> ProfileView:
        """The profile after the change; raises InvalidInput, Forbidden, NotFound."""
        user_id = user_id_of(principal)
        changes = _validated(changes)
        now = self._clock.now()
        async with self._uow() as uow:
            user = await _account(uow, principal.tenant_id, user_id)
            if changes.display_name is not msgspec.UNSET:
                user = msgspec.structs.replace(user, display_name=changes.display_name)
                await uow.users.update(principal.tenant_id, user)
            profile = await locked_profile(uow, principal.tenant_id, user_id, now)
            if changes.locale is not msgspec.UNSET:
                profile = msgspec.structs.replace(profile, locale=changes.locale)
            if changes.settings is not msgspec.UNSET:
                profile = msgspec.structs.replace(profile, settings=changes.settings or {})
            profile = msgspec.structs.replace(profile, updated_at=now)
            await uow.profiles.update(principal.tenant_id, profile)
            await uow.commit()
        return view_of(user, profile, self._policy)


def _validated(changes: ProfileChanges) -> ProfileChanges:
    fields: dict[str, Any] = {}
    if isinstance(changes.display_name, str):
        fields["display_name"] = validate_display_name(changes.display_name)
    if isinstance(changes.locale, str):
        fields["locale"] = validate_locale(changes.locale)
    if changes.settings is not None and changes.settings is not msgspec.UNSET:
        fields["settings"] = validate_settings(changes.settings)
    return msgspec.structs.replace(changes, **fields)


def view_of(user: User, profile: Profile, policy: ProfilePolicy) -> ProfileView:
    """The profile as its owner sees it."""
    url = None if profile.avatar is None else policy.avatar_url(profile.avatar)
    return ProfileView(user=user, profile=profile, avatar_url=url)
