"""Sign-in with a one-time code sent by mail; the first sign-in creates the account."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import msgspec

from chatcore.errors import AuthMethodDisabled, Conflict, OtpExpired, OtpInvalid
from chatcore.identity.mails import otp_mail
from chatcore.identity.model import Credential, OtpChallenge, User, normalize_email
from chatcore.identity.policy import IdentityPolicy
from chatcore.identity.ports import Mailer
from chatcore.identity.principal import Principal
from chatcore.identity.throttling import CountedMail, admit_mail, uncount_mail
from chatcore.identity.use_cases.sessions import SessionStarter
from chatcore.kernel import Clock, IdFactory, TenantId, UserId
from chatcore.tenants.model import Tenant
from chatcore.unit_of_work import UnitOfWork, UnitOfWorkFactory

CODE_DIGITS = 6


def code_hash(key: bytes, tenant_id: TenantId, email: str, code: str) -> str:
    """The keyed hash a code is stored as; binding tenant and email into it means a
    code can only ever match the challenge it was made for."""
    message = f"{tenant_id}\x00{email}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class RequestOtp:
    """Mail a fresh sign-in code to an address, replacing any earlier one."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        mailer: Mailer,
        clock: Clock,
        policy: IdentityPolicy,
        otp_key: bytes,
    ) -> None:
        self._uow, self._mailer, self._clock = uow, mailer, clock
        self._policy, self._key = policy, otp_key

    async def __call__(self, tenant: Tenant, email: str) -> None:
        """Send the code; the same outcome whether or not the address has an account.
        Raises InvalidInput, AuthMethodDisabled, or RateLimited (and then sends nothing)."""
        if not tenant.settings.allows("otp"):
            raise AuthMethodDisabled("This tenant does not allow sign-in by code.")
        email = normalize_email(email)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        now = self._clock.now()
        challenge = OtpChallenge(
            email=email,
            code_hash=code_hash(self._key, tenant.id, email, code),
            issued_at=now,
            expires_at=now + timedelta(seconds=self._policy.otp_ttl_seconds),
        )
        async with self._uow() as uow:
            counted = await admit_mail(uow, tenant.id, "otp_mail", email, now, self._policy)
            # The throttle row is locked, so no other request for this email is here.
            earlier = await uow.otp_challenges.get_for_update(tenant.id, email)
            if earlier is None:
                await uow.otp_challenges.add(tenant.id, challenge)
            else:
                await uow.otp_challenges.update(tenant.id, challenge)
            await uow.commit()
        try:
            await self._mailer.send(otp_mail(tenant, email, code, self._policy.otp_ttl_seconds))
        except Exception:
            # Whatever stopped the mail, no code went out: neither it nor the throttle counts.
            await self._take_back(tenant.id, counted, challenge, earlier)
            raise

    async def _take_back(
        self,
        tenant_id: TenantId,
        counted: CountedMail,
        challenge: OtpChallenge,
        earlier: OtpChallenge | None,
    ) -> None:
        async with self._uow() as uow:
            await uncount_mail(uow, tenant_id, counted)
            current = await uow.otp_challenges.get_for_update(tenant_id, challenge.email)
            if current is not None and current.code_hash == challenge.code_hash:
                # The earlier code, if it was mailed, keeps working.
                if earlier is None:
                    await uow.otp_challenges.delete(tenant_id, challenge.email)
                else:
                    await uow.otp_challenges.update(tenant_id, earlier)
            await uow.commit()


class VerifyOtp:
    """Sign in with a mailed code."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        starter: SessionStarter,
        clock: Clock,
        ids: IdFactory,
        policy: IdentityPolicy,
        otp_key: bytes,
    ) -> None:
        self._uow, self._starter, self._clock, self._ids = uow, starter, clock, ids
        self._policy, self._key = policy, otp_key

    async def __call__(
        self,
        tenant: Tenant,
        email: str,
        code: str,
        user_agent: str | None,
        current_principal: Principal | None = None,
    ) -> Credential:
        """A credential (creating and confirming the account on first sign-in); raises
        OtpInvalid (wrong, used or dead code), OtpExpired, InvalidInput or
        AuthMethodDisabled. Every wrong try counts, concurrent ones included."""
        if not tenant.settings.allows("otp"):
            raise AuthMethodDisabled("This tenant does not allow sign-in by code.")
        email = normalize_email(email)
        attempt_hash = code_hash(self._key, tenant.id, email, code)
        async with self._uow() as uow:
            now = self._clock.now()
            challenge = await uow.otp_challenges.get_for_update(tenant.id, email)
            if challenge is None:
                raise OtpInvalid("The code is wrong.")
            after, verdict = challenge.attempt(attempt_hash, now, self._policy.otp_max_attempts)
            if verdict == "expired":
                raise OtpExpired("The code has expired; ask for a new one.")
            if after != challenge:
                await uow.otp_challenges.update(tenant.id, after)
            if verdict == "invalid":
                await uow.commit()
                raise OtpInvalid("The code is wrong.")
            user = await self._confirmed_user(uow, tenant.id, email, now)
            session = await self._starter.open(
                uow, tenant.id, user, user_agent, replacing=current_principal
            )
            await uow.commit()
        return self._starter.credential(session, user)

    async def _confirmed_user(
        self, uow: UnitOfWork, tenant_id: TenantId, email: str, now: datetime
    ) -> User:
        user = await uow.users.get_by_email(tenant_id, email)
        if user is None:
            user = User(
                id=UserId(self._ids.new_id()),
                tenant_id=tenant_id,
                email=email,
                password_hash=None,
                email_confirmed_at=now,
                display_name=None,
                created_at=now,
            )
            try:
                await uow.users.add(tenant_id, user)
                return user
            except Conflict:
                # A sign-up for this address committed meanwhile; sign in to that account.
                existing = await uow.users.get_by_email(tenant_id, email)
                if existing is None:
                    raise
                user = existing
        if user.email_confirmed_at is not None:
            return user
        # The code proves the mailbox; a password set before that proof may be an
        # attacker's (account pre-hijacking), so it and its pending links go.
        user = msgspec.structs.replace(user, email_confirmed_at=now, password_hash=None)
        await uow.users.update(tenant_id, user)
        await uow.email_confirmations.delete_of_user(tenant_id, user.id)
        return user
