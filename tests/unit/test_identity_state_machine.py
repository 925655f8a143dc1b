"""Hypothesis drives codes and sessions through every order of requests, tries,
sign-ins, logouts, deletions and the passing of time, and checks after each step that
nothing ever authenticates with a dead code or a dead session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from chatcore.errors import NotAuthenticated, NotFound, OtpExpired, OtpInvalid, RateLimited
from chatcore.identity.principal import Principal
from tests.unit.fakes import IdentityKit

T = TypeVar("T")
EMAILS = ("a@example.com", "b@example.com")


@dataclass
class CodeModel:
    """What a correct implementation must believe about an email's current code."""

    code: str
    expires_at: datetime
    attempts: int = 0
    used: bool = False


@dataclass
class TokenModel:
    """What a correct implementation must believe about one issued token."""

    token: str
    principal_id: uuid.UUID
    session_id: uuid.UUID
    kind: str
    expires_at: datetime
    revoked: bool = False


class IdentityMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.kit = IdentityKit()
        self.tenant = self.run(self.kit.add_tenant())
        self.codes: dict[str, CodeModel] = {}
        self.old_codes: dict[str, list[str]] = {email: [] for email in EMAILS}
        self.tokens: list[TokenModel] = []

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.loop.close()

    def live(self, model: TokenModel) -> bool:
        return not model.revoked and self.kit.clock.now() < model.expires_at

    def principal_of(self, index: int) -> Principal | None:
        if not self.tokens:
            return None
        model = self.tokens[index % len(self.tokens)]
        if not self.live(model):
            return None
        return self.run(self.kit.resolve(model.token, self.tenant.id))

    def revoke(self, *, principal_id: uuid.UUID, session_id: uuid.UUID | None = None) -> None:
        for model in self.tokens:
            if model.principal_id == principal_id and session_id in (None, model.session_id):
                model.revoked = True

    def end(self, principal: Principal) -> None:
        """What ending a principal's session revokes: an anonymous one goes whole."""
        if principal.kind == "anonymous":
            self.revoke(principal_id=principal.id)
        else:
            self.revoke(principal_id=principal.id, session_id=principal.session_id)

    @rule(email=st.sampled_from(EMAILS))
    def request_code(self, email: str) -> None:
        sent = len(self.kit.mailer.outbox)
        try:
            self.run(self.kit.request_otp(self.tenant, email))
        except RateLimited as limited:
            assert limited.retry_after >= 1
            assert len(self.kit.mailer.outbox) == sent
            return
        if email in self.codes:
            self.old_codes[email].append(self.codes[email].code)
        self.codes[email] = CodeModel(
            code=self.kit.mailer.last_code(email),
            expires_at=self.kit.clock.now() + timedelta(seconds=self.kit.policy.otp_ttl_seconds),
        )

    @rule(
        email=st.sampled_from(EMAILS),
        which=st.sampled_from(["right", "wrong", "old"]),
        replacing=st.none() | st.integers(min_value=0),
    )
    def verify_code(self, email: str, which: str, replacing: int | None) -> None:
        current = self.codes.get(email)
        code = {
            "right": current.code if current else "000000",
            "wrong": f"{(int(current.code) + 1) % 1_000_000:06d}" if current else "111111",
            "old": self.old_codes[email][-1] if self.old_codes[email] else "222222",
        }[which]
        principal = None if replacing is None else self.principal_of(replacing)
        expected = self.expected_verdict(current, code)
        try:
            credential = self.run(self.kit.verify_otp(self.tenant, email, code, None, principal))
            outcome = "accepted"
        except OtpInvalid:
            outcome = "invalid"
        except OtpExpired:
            outcome = "expired"
        assert outcome == expected, (outcome, expected, current, which)
        if outcome != "accepted":
            return
        if principal is not None:
            self.end(principal)
        session = credential.session
        self.tokens.append(
            TokenModel(
                credential.access_token,
                session.principal_id,
                session.id,
                "user",
                session.expires_at,
            )
        )

    def expected_verdict(self, current: CodeModel | None, code: str) -> str:
        if current is None or current.used:
            return "invalid"
        if self.kit.clock.now() >= current.expires_at:
            return "expired"
        if current.attempts >= self.kit.policy.otp_max_attempts or code != current.code:
            current.attempts += 1
            return "invalid"
        current.used = True
        return "accepted"

    @rule()
    def start_anonymous(self) -> None:
        credential = self.run(self.kit.create_anonymous(self.tenant, None))
        session = credential.session
        self.tokens.append(
            TokenModel(
                credential.access_token,
                session.principal_id,
                session.id,
                "anonymous",
                session.expires_at,
            )
        )

    @rule(index=st.integers(min_value=0))
    def logout(self, index: int) -> None:
        principal = self.principal_of(index)
        if principal is not None:
            self.run(self.kit.logout(principal))
            self.end(principal)

    @rule(index=st.integers(min_value=0), target_index=st.integers(min_value=0))
    def delete_session(self, index: int, target_index: int) -> None:
        principal = self.principal_of(index)
        if principal is None:
            return
        target = self.tokens[target_index % len(self.tokens)]
        may = self.live(target) and target.principal_id == principal.id
        try:
            self.run(self.kit.delete_session(principal, target.session_id))
        except NotFound:
            assert not may
            return
        assert may
        if principal.kind == "anonymous":
            self.revoke(principal_id=principal.id)
        else:
            self.revoke(principal_id=principal.id, session_id=target.session_id)

    @rule(index=st.integers(min_value=0))
    def delete_account(self, index: int) -> None:
        principal = self.principal_of(index)
        if principal is None:
            return
        if principal.kind == "user":
            email = self.run(self.kit.get_account(principal)).email
            self.codes.pop(email, None)
        self.run(self.kit.delete_account(principal))
        self.revoke(principal_id=principal.id)

    @rule(seconds=st.integers(min_value=1, max_value=3600))
    def wait(self, seconds: int) -> None:
        self.kit.clock.advance(seconds)

    @invariant()
    def tokens_work_exactly_while_their_session_lives(self) -> None:
        for model in self.tokens:
            try:
                principal = self.run(self.kit.resolve(model.token, self.tenant.id))
            except NotAuthenticated:
                assert not self.live(model), model
                continue
            assert self.live(model), model
            assert (principal.id, principal.session_id, principal.kind) == (
                model.principal_id,
                model.session_id,
                model.kind,
            )


IdentityMachine.TestCase.settings = settings(
    max_examples=120, stateful_step_count=30, deadline=None
)
test_codes_and_sessions = IdentityMachine.TestCase
