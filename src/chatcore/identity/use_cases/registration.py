"""Sign-up with a password, and the mailed link that confirms the address."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

import msgspec

from chatcore.errors import AuthMethodDisabled, Conflict, TokenInvalid
from chatcore.identity.mails import already_registered_mail, confirmation_mail
from chatcore.identity.model import EmailConfirmation, User, normalize_email
from chatcore.identity.policy import IdentityPolicy, validate_password
from chatcore.identity.ports import Mailer, MailMessage, PasswordHasher
from chatcore.identity.throttling import CountedMail, admit_mail, uncount_mail
from chatcore.kernel import Clock, IdFactory, TenantId, UserId
from chatcore.tenants.model import Tenant
from chatcore.unit_of_work import UnitOfWork, UnitOfWorkFactory


def new_confirmation_token(tenant_id: TenantId) -> str:
    """A random link token that names its tenant (a mailed link carries no header)."""
    return f"{tenant_id.hex}.{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    """How a token is stored: its sha256, so a leaked table confirms nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


class Register:
    """Sign up with an email and a password; the account waits for its link."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        mailer: Mailer,
        clock: Clock,
        ids: IdFactory,
        policy: IdentityPolicy,
    ) -> None:
        self._uow, self._hasher, self._mailer = uow, hasher, mailer
        self._clock, self._ids, self._policy = clock, ids, policy

    async def __call__(self, tenant: Tenant, email: str, password: str) -> None:
        """Mail a confirmation link, or, for an address with a confirmed account, a
        notice; the caller cannot tell which. Raises InvalidInput, AuthMethodDisabled,
        or RateLimited (and then sends nothing)."""
        if not tenant.settings.allows("password"):
            raise AuthMethodDisabled("This tenant does not allow passwords.")
        email = normalize_email(email)
        password = validate_password(password, self._policy)
        # Hashed whatever the address, so a known one answers as slowly as a new one.
        password_hash = await self._hasher.hash(password)
        link: EmailConfirmation | None = None
        async with self._uow() as uow:
            now = self._clock.now()
            counted = await admit_mail(uow, tenant.id, "signup_mail", email, now, self._policy)
            user = await self._pending_user(uow, tenant.id, email, password_hash, now)
            if user is None:
                message = already_registered_mail(tenant, email)
            else:
                link, message = await self._link(uow, tenant, user, password_hash, now)
            await uow.commit()
        try:
            await self._mailer.send(message)
        except Exception:
            # Whatever stopped the mail, no link went out: neither it nor the throttle counts.
            await self._take_back(tenant.id, counted, link)
            raise

    async def _take_back(
        self, tenant_id: TenantId, counted: CountedMail, link: EmailConfirmation | None
    ) -> None:
        # An account made for the link stays unconfirmed, as after any unused link.
        async with self._uow() as uow:
            await uncount_mail(uow, tenant_id, counted)
            if link is not None:
                await uow.email_confirmations.delete(tenant_id, link.token_hash)
            await uow.commit()

    async def _pending_user(
        self, uow: UnitOfWork, tenant_id: TenantId, email: str, password_hash: str, now: datetime
    ) -> User | None:
        """The unconfirmed account for ``email`` (made now if new), or None if the
        address has a confirmed account."""
        user = await uow.users.get_by_email(tenant_id, email)
        if user is None:
            user = User(
                id=UserId(self._ids.new_id()),
                tenant_id=tenant_id,
                email=email,
                password_hash=password_hash,
                email_confirmed_at=None,
                display_name=None,
                created_at=now,
            )
            try:
                await uow.users.add(tenant_id, user)
                return user
            except Conflict:
                # A sign-in by code created the account meanwhile.
                return None
        if user.email_confirmed_at is not None:
            return None
        # Only to tell "not confirmed" from "wrong password" at login; confirming
        # sets the password that travelled with the link used.
        user = msgspec.structs.replace(user, password_hash=password_hash)
        await uow.users.update(tenant_id, user)
        return user

    async def _link(
        self, uow: UnitOfWork, tenant: Tenant, user: User, password_hash: str, now: datetime
    ) -> tuple[EmailConfirmation, MailMessage]:
        token = new_confirmation_token(tenant.id)
        ttl_hours = self._policy.confirm_ttl_hours
        link = EmailConfirmation(
            token_hash=token_hash(token),
            user_id=user.id,
            email=user.email,
            password_hash=password_hash,
            created_at=now,
            expires_at=now + timedelta(hours=ttl_hours),
        )
        await uow.email_confirmations.add(tenant.id, link)
        mail = confirmation_mail(tenant, user.email, self._policy.confirm_link(token), ttl_hours)
        return link, mail


class ConfirmEmail:
    """Confirm an address with the token of a mailed link."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, token: str) -> User:
        """The confirmed user (naming the tenant); raises TokenInvalid for a token
        that is unknown, used, expired, or sent to another address."""
        tenant_id = _tenant_of(token)
        async with self._uow() as uow:
            link = await uow.email_confirmations.get_for_update(tenant_id, token_hash(token))
            if link is None or self._clock.now() >= link.expires_at:
                raise TokenInvalid("This link is not valid; sign up again for a new one.")
            user = await uow.users.get(tenant_id, link.user_id)
            if user is None or user.email != link.email:
                raise TokenInvalid("This link is not valid; sign up again for a new one.")
            user = msgspec.structs.replace(
                user,
                email_confirmed_at=user.email_confirmed_at or self._clock.now(),
                password_hash=link.password_hash,
            )
            await uow.users.update(tenant_id, user)
            # Single use, and older links of the account die with it.
            await uow.email_confirmations.delete_of_user(tenant_id, user.id)
            await uow.commit()
        return user


def _tenant_of(token: str) -> TenantId:
    prefix, dot, _ = token.partition(".")
    try:
        if not dot:
            raise ValueError(token)
        return TenantId(uuid.UUID(hex=prefix))
    except ValueError as exc:
        raise TokenInvalid("This link is not valid; sign up again for a new one.") from exc
