"""Throttles: how often a code or sign-up mail may go out to an email, how fast its
password may be guessed, and how many anonymous sessions one client address may
start. Each runs inside the caller's transaction on a locked row, so concurrent
requests, in any number of processes, are counted one by one."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import msgspec

from chatcore.errors import Conflict, RateLimited
from chatcore.identity.model import AuthThrottle, ThrottleScope
from chatcore.identity.policy import IdentityPolicy
from chatcore.kernel import TenantId
from chatcore.unit_of_work import UnitOfWork

MAIL_WINDOW = timedelta(hours=1)
GUEST_WINDOW = timedelta(hours=1)
# Beyond this many doublings the cap has long been reached; bounds the exponent.
_MAX_DOUBLINGS = 30


def mail_wait(throttle: AuthThrottle, now: datetime, policy: IdentityPolicy) -> int:
    """Seconds until one more mail may go out (0: now)."""
    waits = [0.0]
    if throttle.count > 0:
        gap = timedelta(seconds=policy.otp_resend_seconds) - (now - throttle.last_at)
        waits.append(gap.total_seconds())
    window_end = throttle.window_started_at + MAIL_WINDOW
    if now < window_end and throttle.count >= policy.mails_per_hour:
        waits.append((window_end - now).total_seconds())
    return math.ceil(max(waits))


def after_mail(throttle: AuthThrottle, now: datetime) -> AuthThrottle:
    """The counter once one more mail went out at ``now``."""
    return _counted(throttle, now, MAIL_WINDOW)


def guest_wait(throttle: AuthThrottle, now: datetime, policy: IdentityPolicy) -> int:
    """Seconds until the address may start one more anonymous session (0: now)."""
    window_end = throttle.window_started_at + GUEST_WINDOW
    if now < window_end and throttle.count >= policy.anonymous_sessions_per_hour:
        return math.ceil((window_end - now).total_seconds())
    return 0


def login_wait(throttle: AuthThrottle, now: datetime, policy: IdentityPolicy) -> int:
    """Seconds until the next password try; doubles from 1 s past the free failures."""
    over = throttle.count - policy.login_free_failures
    if over < 0:
        return 0
    delay = min(policy.login_backoff_cap_seconds, 2 ** min(over, _MAX_DOUBLINGS))
    return max(0, math.ceil((throttle.last_at + timedelta(seconds=delay) - now).total_seconds()))


class CountedMail(msgspec.Struct, frozen=True):
    """A mail counted before it goes out: its counter before and after, so that a
    mail never handed over can be given back."""

    before: AuthThrottle
    after: AuthThrottle


async def admit_mail(
    uow: UnitOfWork,
    tenant_id: TenantId,
    scope: ThrottleScope,
    email: str,
    now: datetime,
    policy: IdentityPolicy,
) -> CountedMail:
    """Count one mail to ``email``; raises RateLimited when it must not go out."""
    throttle = await _locked(uow, tenant_id, scope, email, now)
    wait = mail_wait(throttle, now, policy)
    if wait > 0:
        raise RateLimited(wait)
    counted = CountedMail(before=throttle, after=after_mail(throttle, now))
    await uow.auth_throttles.update(tenant_id, counted.after)
    return counted


async def uncount_mail(uow: UnitOfWork, tenant_id: TenantId, mail: CountedMail) -> None:
    """Give back a mail the mailer never handed over, unless its counter moved on since."""
    scope, subject = mail.after.scope, mail.after.subject
    if await uow.auth_throttles.get_for_update(tenant_id, scope, subject) == mail.after:
        await uow.auth_throttles.update(tenant_id, mail.before)


async def admit_login(
    uow: UnitOfWork, tenant_id: TenantId, email: str, now: datetime, policy: IdentityPolicy
) -> None:
    """Count a password try as failed until it succeeds; raises RateLimited when the
    email must wait. Counting before the slow check bounds concurrent guesses too."""
    throttle = await _locked(uow, tenant_id, "login", email, now)
    wait = login_wait(throttle, now, policy)
    if wait > 0:
        raise RateLimited(wait)
    await uow.auth_throttles.update(
        tenant_id, msgspec.structs.replace(throttle, count=throttle.count + 1, last_at=now)
    )


async def admit_guest(
    uow: UnitOfWork, tenant_id: TenantId, address: str, now: datetime, policy: IdentityPolicy
) -> None:
    """Count one anonymous session started from ``address``; raises RateLimited when
    the address has started its hour's worth."""
    throttle = await _locked(uow, tenant_id, "guest_session", address, now)
    wait = guest_wait(throttle, now, policy)
    if wait > 0:
        raise RateLimited(wait, "Too many anonymous sessions from this address; try later.")
    await uow.auth_throttles.update(tenant_id, _counted(throttle, now, GUEST_WINDOW))


async def reset_login(uow: UnitOfWork, tenant_id: TenantId, email: str) -> None:
    """Forget the failed tries of an email after a right password."""
    throttle = await uow.auth_throttles.get_for_update(tenant_id, "login", email)
    if throttle is not None and throttle.count:
        await uow.auth_throttles.update(tenant_id, msgspec.structs.replace(throttle, count=0))


def _counted(throttle: AuthThrottle, now: datetime, window: timedelta) -> AuthThrottle:
    """The counter of a fixed window once one more event happened at ``now``."""
    if now >= throttle.window_started_at + window:
        return msgspec.structs.replace(throttle, count=1, window_started_at=now, last_at=now)
    return msgspec.structs.replace(throttle, count=throttle.count + 1, last_at=now)


async def _locked(
    uow: UnitOfWork, tenant_id: TenantId, scope: ThrottleScope, subject: str, now: datetime
) -> AuthThrottle:
    throttle = await uow.auth_throttles.get_for_update(tenant_id, scope, subject)
    if throttle is not None:
        return throttle
    fresh = AuthThrottle(scope=scope, subject=subject, count=0, window_started_at=now, last_at=now)
    try:
        await uow.auth_throttles.add(tenant_id, fresh)
    except Conflict:
        # A concurrent first request inserted the row and committed: lock that one.
        throttle = await uow.auth_throttles.get_for_update(tenant_id, scope, subject)
        if throttle is None:
            raise
        return throttle
    return fresh
