"""Small fakes for the ports identity uses, and a kit wiring every identity use case
to them over one unit-of-work factory."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from datetime import UTC, datetime, timedelta

import msgspec

from adapters.memory import MemoryDatabase
from chatcore.erasure import OwnedDataEraser
from chatcore.errors import NotAuthenticated, Unavailable
from chatcore.identity.policy import IdentityPolicy
from chatcore.identity.ports import AccessClaims, MailMessage
from chatcore.identity.use_cases.accounts import DeleteAccount, GetAccount
from chatcore.identity.use_cases.login import Login
from chatcore.identity.use_cases.otp import RequestOtp, VerifyOtp
from chatcore.identity.use_cases.registration import ConfirmEmail, Register
from chatcore.identity.use_cases.sessions import (
    CreateAnonymousSession,
    DeleteSession,
    Logout,
    ResolvePrincipal,
    SessionStarter,
)
from chatcore.kernel import RandomIdFactory, TenantId
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.unit_of_work import UnitOfWorkFactory

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self, now: datetime = T0) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class FakePasswordHasher:
    """A fast hasher that counts its calls; ``version`` plays the hash parameters."""

    def __init__(self, version: int = 1) -> None:
        self.version = version
        self.hashes = 0
        self.verifies = 0

    async def hash(self, password: str) -> str:
        self.hashes += 1
        return f"fake${self.version}${hashlib.sha256(password.encode()).hexdigest()}"

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verifies += 1
        digest = password_hash.rpartition("$")[2]
        return hmac.compare_digest(digest, hashlib.sha256(password.encode()).hexdigest())

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"fake${self.version}$")


class FakeTokenIssuer:
    """Signed JSON claims; expiry judged by the fake clock."""

    _KEY = b"fake-signing-key"

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock

    def issue(self, claims: AccessClaims) -> str:
        body = base64.urlsafe_b64encode(msgspec.json.encode(claims)).decode()
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str) -> AccessClaims:
        body, _, signature = token.partition(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            raise NotAuthenticated("bad signature")
        claims = msgspec.json.decode(base64.urlsafe_b64decode(body), type=AccessClaims)
        if self._clock.now() >= claims.expires_at:
            raise NotAuthenticated("expired")
        return claims

    def _sign(self, body: str) -> str:
        return hmac.new(self._KEY, body.encode(), hashlib.sha256).hexdigest()


class FakeMailer:
    """Keeps every mail it is given; while ``down``, refuses them as a dead server would."""

    def __init__(self) -> None:
        self.outbox: list[MailMessage] = []
        self.down = False

    async def send(self, message: MailMessage) -> None:
        if self.down:
            raise Unavailable("mail")
        self.outbox.append(message)

    def last_to(self, address: str) -> MailMessage:
        return next(m for m in reversed(self.outbox) if m.to == address)

    def last_code(self, address: str) -> str:
        match = re.search(r"\b(\d{6})\b", self.last_to(address).text)
        assert match, "no code in the mail"
        return match.group(1)

    def last_token(self, address: str) -> str:
        match = re.search(r"confirm\?token=(\S+)", self.last_to(address).text)
        assert match, "no link in the mail"
        return match.group(1)


class IdentityKit:
    """Every identity use case over one unit-of-work factory, with fakes for the rest."""

    OTP_KEY = b"k" * 32

    def __init__(
        self,
        uow: UnitOfWorkFactory | None = None,
        policy: IdentityPolicy | None = None,
        erasers: tuple[OwnedDataEraser, ...] = (),
    ) -> None:
        self.uow = uow or MemoryDatabase().unit_of_work
        self.policy = policy or IdentityPolicy()
        self.clock = FakeClock()
        self.ids = RandomIdFactory()
        self.hasher = FakePasswordHasher()
        self.issuer = FakeTokenIssuer(self.clock)
        self.mailer = FakeMailer()
        key, clock, ids, policy = self.OTP_KEY, self.clock, self.ids, self.policy
        self.starter = SessionStarter(clock, ids, self.issuer, policy, erasers)
        self.request_otp = RequestOtp(self.uow, self.mailer, clock, policy, key)
        self.verify_otp = VerifyOtp(self.uow, self.starter, clock, ids, policy, key)
        self.register = Register(self.uow, self.hasher, self.mailer, clock, ids, policy)
        self.confirm_email = ConfirmEmail(self.uow, clock)
        self.login = Login(self.uow, self.hasher, self.starter, clock, policy)
        self.create_anonymous = CreateAnonymousSession(self.uow, self.starter, clock, policy)
        self.resolve = ResolvePrincipal(self.uow, self.issuer, clock, policy)
        self.logout = Logout(self.uow, erasers)
        self.delete_session = DeleteSession(self.uow, erasers)
        self.delete_account = DeleteAccount(self.uow, erasers)
        self.get_account = GetAccount(self.uow)

    async def add_tenant(self, slug: str = "acme", **settings: object) -> Tenant:
        tenant = Tenant(
            id=TenantId(uuid.uuid4()),
            slug=slug,
            name=f"Tenant {slug}",
            settings=TenantSettings(**settings),  # type: ignore[arg-type]
            created_at=self.clock.now(),
        )
        async with self.uow() as tx:
            await tx.tenants.add(tenant)
            await tx.commit()
        return tenant

    async def sign_in_by_code(self, tenant: Tenant, email: str) -> str:
        """Request a code, read it from the mail and verify it; the access token."""
        await self.request_otp(tenant, email)
        code = self.mailer.last_code(email)
        credential = await self.verify_otp(tenant, email, code, "test-agent")
        return credential.access_token
