"""The TokenIssuer contract: issued claims come back; a tampered, expired, early or
malformed token is NotAuthenticated."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chatcore.errors import NotAuthenticated
from chatcore.identity.ports import AccessClaims, TokenIssuer

NOW = datetime.now(UTC).replace(microsecond=0)


def make_claims(issued_at: datetime = NOW, ttl: timedelta = timedelta(minutes=15)) -> AccessClaims:
    """Claims for a fresh session of a random user in a random tenant."""
    return AccessClaims(
        session_id=uuid.uuid4(),
        subject=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        issued_at=issued_at,
        expires_at=issued_at + ttl,
    )


def b64encode(data: bytes) -> str:
    """Unpadded base64url, as in a JWS segment."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64decode(segment: str) -> bytes:
    """The bytes of an unpadded base64url segment."""
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


class TokenIssuerContract:
    """What every TokenIssuer does.

    Needs a fixture ``issuer`` returning an issuer whose clock is the real time. The
    tampering tests assume the JWS compact form (``header.payload.signature``, each
    base64url, the payload JSON with a ``sub`` claim).
    """

    async def test_issued_claims_verify_back_equal(self, issuer: TokenIssuer) -> None:
        claims = make_claims()
        assert issuer.verify(issuer.issue(claims)) == claims

    async def test_two_tokens_for_the_same_claims_differ(self, issuer: TokenIssuer) -> None:
        claims = make_claims()
        assert issuer.issue(claims) != issuer.issue(claims)

    async def test_an_expired_token_is_refused(self, issuer: TokenIssuer) -> None:
        token = issuer.issue(make_claims(issued_at=NOW - timedelta(hours=2)))
        with pytest.raises(NotAuthenticated):
            issuer.verify(token)

    async def test_a_token_issued_in_the_future_is_refused(self, issuer: TokenIssuer) -> None:
        with pytest.raises(NotAuthenticated):
            issuer.verify(issuer.issue(make_claims(issued_at=NOW + timedelta(hours=1))))

    async def test_a_tampered_payload_is_refused(self, issuer: TokenIssuer) -> None:
        header, payload, signature = issuer.issue(make_claims()).split(".")
        claims = json.loads(b64decode(payload))
        claims["sub"] = str(uuid.uuid4())
        with pytest.raises(NotAuthenticated):
            issuer.verify(f"{header}.{b64encode(json.dumps(claims).encode())}.{signature}")

    async def test_a_tampered_signature_is_refused(self, issuer: TokenIssuer) -> None:
        header, payload, signature = issuer.issue(make_claims()).split(".")
        # The first character, whose bits are all significant (the last one's may be padding).
        forged = ("B" if signature[0] == "A" else "A") + signature[1:]
        with pytest.raises(NotAuthenticated):
            issuer.verify(f"{header}.{payload}.{forged}")
        with pytest.raises(NotAuthenticated):
            issuer.verify(f"{header}.{payload}.")

    @pytest.mark.parametrize(
        "garbage",
        ["", "garbage", "a.b", "a.b.c", "...", "é.é.é", "\ud800.x.y", "Bearer x.y.z",
         "eyJhbGciOiJIUzI1NiJ9.e30", "x" * 10_000, "a." * 3000],
    )  # fmt: skip
    async def test_garbage_is_refused(self, issuer: TokenIssuer, garbage: str) -> None:
        with pytest.raises(NotAuthenticated):
            issuer.verify(garbage)
