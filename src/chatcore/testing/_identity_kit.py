"""The identity use cases the identity suite drives, wired to small fakes over the
unit of work under test."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from datetime import UTC, datetime

from chatcore.identity.policy import IdentityPolicy
from chatcore.identity.ports import AccessClaims, MailMessage
from chatcore.identity.use_cases.login import Login
from chatcore.identity.use_cases.otp import RequestOtp, VerifyOtp
from chatcore.identity.use_cases.sessions import SessionStarter
from chatcore.kernel import RandomIdFactory, TenantId
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.testing._support import FixedClock
from chatcore.unit_of_work import UnitOfWorkFactory


class RecordingMailer:
    """Keeps every mail it is given."""

    def __init__(self) -> None:
        self.outbox: list[MailMessage] = []

    async def send(self, message: MailMessage) -> None:
        """Keep the mail."""
        self.outbox.append(message)

    def last_code(self, address: str) -> str:
        """The six-digit code in the last mail to ``address``."""
        mail = next(m for m in reversed(self.outbox) if m.to == address)
        match = re.search(r"\b(\d{6})\b", mail.text)
        assert match, "no code in the mail"
        return match.group(1)


class Sha256Hasher:
    """A fast, unsalted stand-in for a password hasher."""

    async def hash(self, password: str) -> str:
        """The hex digest."""
        return hashlib.sha256(password.encode()).hexdigest()

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether the digest matches."""
        return hmac.compare_digest(password_hash, await self.hash(password))

    def needs_rehash(self, password_hash: str) -> bool:
        """Never."""
        return False


class OpaqueIssuer:
    """Issues random tokens; the suite never verifies one."""

    def issue(self, claims: AccessClaims) -> str:
        """A fresh random token."""
        return uuid.uuid4().hex

    def verify(self, token: str) -> AccessClaims:
        """Not used by the suite."""
        raise NotImplementedError


class IdentityKit:
    """Sign-in by code and by password over one unit-of-work factory."""

    OTP_KEY = b"k" * 32

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow
        self.policy = IdentityPolicy()
        self.clock = FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
        self.mailer = RecordingMailer()
        ids, clock, policy, key = RandomIdFactory(), self.clock, self.policy, self.OTP_KEY
        starter = SessionStarter(clock, ids, OpaqueIssuer(), policy, ())
        self.request_otp = RequestOtp(uow, self.mailer, clock, policy, key)
        self.verify_otp = VerifyOtp(uow, starter, clock, ids, policy, key)
        self.login = Login(uow, Sha256Hasher(), starter, clock, policy)

    async def add_tenant(self, slug: str = "acme") -> Tenant:
        """A committed tenant with the default settings."""
        tenant = Tenant(
            id=TenantId(uuid.uuid4()),
            slug=slug,
            name=f"Tenant {slug}",
            settings=TenantSettings(),
            created_at=self.clock.now(),
        )
        async with self.uow() as tx:
            await tx.tenants.add(tenant)
            await tx.commit()
        return tenant
