"""TokenIssuer: the public contract on every adapter, then the JWT forgeries an HS256
verifier must refuse."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

import jwt
import pytest

from adapters.security import JwtTokenIssuer
from chatcore.errors import NotAuthenticated
from chatcore.identity.ports import AccessClaims, TokenIssuer
from chatcore.testing import TokenIssuerContract
from chatcore.testing.token_issuer import NOW, b64encode, make_claims

# 64 bytes, so the HS512 forgery below signs without a short-key warning.
SECRET = b"test-secret-0123456789abcdef-0123456789abcdef-0123456789abcdef!!"


class FixedClock:
    """A clock that says what the test tells it."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def jwt_issuer() -> JwtTokenIssuer:
    return JwtTokenIssuer(SECRET)


class TestTokenIssuer(TokenIssuerContract):
    @pytest.fixture(params=["jwt"])
    def issuer(self, request: pytest.FixtureRequest) -> TokenIssuer:
        """Each token issuer in turn."""
        chosen: TokenIssuer = request.getfixturevalue(f"{request.param}_issuer")
        return chosen


# What only JWTs need: forgeries that a careless verifier would accept.


def payload_for(claims: AccessClaims, **changes: Any) -> dict[str, Any]:
    payload = {
        "iss": "chatcore",
        "aud": "chatcore",
        "sub": str(claims.subject),
        "sid": str(claims.session_id),
        "tid": str(claims.tenant_id),
        "iat": int(claims.issued_at.timestamp()),
        "exp": int(claims.expires_at.timestamp()),
        "jti": "j1",
    }
    payload.update(changes)
    return {key: value for key, value in payload.items() if value is not None}


def signed(
    payload: dict[str, Any], header: dict[str, Any], key: bytes = SECRET, digest: str = "sha256"
) -> str:
    segments = (b64encode(json.dumps(part).encode()) for part in (header, payload))
    signing_input = ".".join(segments)
    mac = hmac.new(key, signing_input.encode(), getattr(hashlib, digest)).digest()
    return f"{signing_input}.{b64encode(mac)}"


GOOD_HEADER = {"alg": "HS256", "typ": "at+jwt"}


async def test_the_forging_helpers_make_a_token_that_verifies(jwt_issuer: JwtTokenIssuer) -> None:
    # Each refusal below then stems from the one thing the test changed.
    claims = make_claims()
    assert jwt_issuer.verify(signed(payload_for(claims), GOOD_HEADER)) == claims


async def test_the_header_names_hs256_and_at_jwt(jwt_issuer: JwtTokenIssuer) -> None:
    assert jwt.get_unverified_header(jwt_issuer.issue(make_claims())) == GOOD_HEADER


async def test_alg_none_is_refused(jwt_issuer: JwtTokenIssuer) -> None:
    payload = b64encode(json.dumps(payload_for(make_claims())).encode())
    for alg in ("none", "None", "NONE"):
        header = b64encode(json.dumps({"alg": alg, "typ": "at+jwt"}).encode())
        with pytest.raises(NotAuthenticated):
            jwt_issuer.verify(f"{header}.{payload}.")


@pytest.mark.parametrize(
    ("alg", "digest"),
    [("HS384", "sha384"), ("HS512", "sha512"), ("RS256", "sha256"), ("hs256", "sha256")],
)
async def test_other_algorithms_are_refused_even_with_our_secret(
    jwt_issuer: JwtTokenIssuer, alg: str, digest: str
) -> None:
    token = signed(payload_for(make_claims()), {"alg": alg, "typ": "at+jwt"}, digest=digest)
    with pytest.raises(NotAuthenticated):
        jwt_issuer.verify(token)


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "https://evil.example/jwks.json"},
        {"jwk": {"kty": "oct", "k": "AAAA"}},
        {"x5u": "https://evil.example/cert.pem"},
        {"x5c": ["MIIB"]},
        {"kid": "../../../../dev/null"},
        {"crit": ["exp"]},
        {"b64": False},
    ],
)
async def test_key_steering_headers_are_refused_even_when_signed(
    jwt_issuer: JwtTokenIssuer, extra: dict[str, Any]
) -> None:
    with pytest.raises(NotAuthenticated):
        jwt_issuer.verify(signed(payload_for(make_claims()), {**GOOD_HEADER, **extra}))


@pytest.mark.parametrize(
    "header", [{"alg": "HS256"}, {"alg": "HS256", "typ": "JWT"}, {"alg": "HS256", "typ": "id+jwt"}]
)
async def test_a_missing_or_other_typ_is_refused(
    jwt_issuer: JwtTokenIssuer, header: dict[str, Any]
) -> None:
    with pytest.raises(NotAuthenticated):
        jwt_issuer.verify(signed(payload_for(make_claims()), header))


@pytest.mark.parametrize("claim", ["iss", "aud", "sub", "sid", "tid", "iat", "exp", "jti"])
async def test_a_missing_claim_is_refused(jwt_issuer: JwtTokenIssuer, claim: str) -> None:
    with pytest.raises(NotAuthenticated):
        jwt_issuer.verify(signed(payload_for(make_claims(), **{claim: None}), GOOD_HEADER))


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "other"},
        {"aud": ["chatcore"]},
        {"iss": "someone-else"},
        {"sub": "not-a-uuid"},
        {"sid": 42},
        {"tid": "{12345678-1234-5678-1234-567812345678}"},
        {"sub": "urn:uuid:12345678-1234-5678-1234-567812345678"},
        {"exp": "99999999999"},
        {"exp": 9.9e9},
        {"exp": True},
        {"iat": 10**30},
    ],
)
async def test_a_wrong_or_ill_typed_claim_is_refused(
    jwt_issuer: JwtTokenIssuer, change: dict[str, Any]
) -> None:
    with pytest.raises(NotAuthenticated):
        jwt_issuer.verify(signed(payload_for(make_claims(), **change), GOOD_HEADER))


async def test_another_secret_issuer_or_audience_refuses_our_tokens(
    jwt_issuer: JwtTokenIssuer,
) -> None:
    token = jwt_issuer.issue(make_claims())
    for other in (
        JwtTokenIssuer(SECRET[::-1]),
        JwtTokenIssuer(SECRET, issuer="other"),
        JwtTokenIssuer(SECRET, audience="other"),
    ):
        with pytest.raises(NotAuthenticated):
            other.verify(token)


async def test_expiry_follows_the_clock_with_a_small_leeway() -> None:
    clock = FixedClock(NOW)
    issuer = JwtTokenIssuer(SECRET, clock=clock)
    claims = make_claims(ttl=timedelta(minutes=15))
    token = issuer.issue(claims)
    clock.current = claims.expires_at + timedelta(seconds=2)
    assert issuer.verify(token) == claims
    clock.current = claims.expires_at + timedelta(minutes=1)
    with pytest.raises(NotAuthenticated):
        issuer.verify(token)


@pytest.mark.parametrize("secret", [b"", b"x" * 31, "short-string-secret"])
def test_a_short_secret_is_refused(secret: bytes | str) -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        JwtTokenIssuer(secret)


def test_a_32_character_string_secret_is_enough_and_never_shown() -> None:
    issuer = JwtTokenIssuer("s" * 32)
    assert "sss" not in repr(issuer)
    assert SECRET.decode() not in repr(JwtTokenIssuer(SECRET))
