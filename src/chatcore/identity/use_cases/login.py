"""Sign-in with an email and a password."""

from __future__ import annotations

import secrets

import msgspec

from chatcore.errors import AuthMethodDisabled, EmailNotConfirmed, InvalidCredentials
from chatcore.identity.model import Credential, normalize_email
from chatcore.identity.policy import IdentityPolicy, normalize_password
from chatcore.identity.ports import PasswordHasher
from chatcore.identity.principal import Principal
from chatcore.identity.throttling import admit_login, reset_login
from chatcore.identity.use_cases.sessions import SessionStarter
from chatcore.kernel import Clock
from chatcore.tenants.model import Tenant
from chatcore.unit_of_work import UnitOfWorkFactory


class Login:
    """Sign in with a password. Build it once (it keeps a dummy hash for unknown emails)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        starter: SessionStarter,
        clock: Clock,
        policy: IdentityPolicy,
    ) -> None:
        self._uow, self._hasher, self._starter = uow, hasher, starter
        self._clock, self._policy = clock, policy
        self._dummy_hash: str | None = None

    async def __call__(
        self,
        tenant: Tenant,
        email: str,
        password: str,
        user_agent: str | None,
        current_principal: Principal | None = None,
    ) -> Credential:
        """A credential; raises InvalidCredentials (unknown email and wrong password
        alike), EmailNotConfirmed (only once the password is right), RateLimited after
        repeated failures for the email, InvalidInput or AuthMethodDisabled."""
        if not tenant.settings.allows("password"):
            raise AuthMethodDisabled("This tenant does not allow passwords.")
        email = normalize_email(email)
        password = normalize_password(password)
        async with self._uow() as uow:
            await admit_login(uow, tenant.id, email, self._clock.now(), self._policy)
            user = await uow.users.get_by_email(tenant.id, email)
            await uow.commit()
        if user is None or user.password_hash is None:
            # The same work as a wrong password, so the answer's timing tells nothing.
            await self._hasher.verify(await self._dummy(), password)
            raise InvalidCredentials("The email or password is wrong.")
        if not await self._hasher.verify(user.password_hash, password):
            raise InvalidCredentials("The email or password is wrong.")
        rehashed = None
        if self._hasher.needs_rehash(user.password_hash):
            rehashed = await self._hasher.hash(password)
        async with self._uow() as uow:
            await reset_login(uow, tenant.id, email)
            current = await uow.users.get(tenant.id, user.id)
            if current is None or current.password_hash != user.password_hash:
                # Deleted, or its password changed, while the hash was being checked.
                raise InvalidCredentials("The email or password is wrong.")
            if current.email_confirmed_at is None:
                await uow.commit()
                raise EmailNotConfirmed("Confirm your email address first.")
            if rehashed is not None:
                current = msgspec.structs.replace(current, password_hash=rehashed)
                await uow.users.update(tenant.id, current)
            session = await self._starter.open(
                uow, tenant.id, current, user_agent, replacing=current_principal
            )
            await uow.commit()
        return self._starter.credential(session, current)

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash
