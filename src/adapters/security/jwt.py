"""Access tokens as JWTs (RFC 9068 profile) signed with HS256 (PyJWT). Verification is
an allow-list: one algorithm, one header shape, every claim present and well typed."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt

from chatcore.errors import NotAuthenticated
from chatcore.identity.ports import AccessClaims
from chatcore.kernel import Clock, SystemClock

ALGORITHM = "HS256"
TOKEN_TYPE = "at+jwt"
MIN_SECRET_BYTES = 32  # RFC 7518 section 3.2: an HS256 key at least as long as the hash
LEEWAY_SECONDS = 5
# Far above any token we issue; refusing early bounds the work a forged token can cause.
MAX_TOKEN_CHARS = 4096

_HEADER_KEYS = frozenset({"alg", "typ"})
_REQUIRED_CLAIMS = ["iss", "aud", "sub", "sid", "tid", "iat", "exp", "jti"]


class JwtTokenIssuer:
    """A TokenIssuer signing ``at+jwt`` access tokens with a shared secret."""

    def __init__(
        self,
        secret: bytes | str,
        issuer: str = "chatcore",
        audience: str = "chatcore",
        *,
        clock: Clock | None = None,
    ) -> None:
        key = secret.encode() if isinstance(secret, str) else secret
        if len(key) < MIN_SECRET_BYTES:
            raise ValueError(
                f"the token signing secret must be at least {MIN_SECRET_BYTES} bytes long"
            )
        self._key = key
        self._issuer = issuer
        self._audience = audience
        self._clock = clock or SystemClock()

    def __repr__(self) -> str:
        # The default repr would show the secret in tracebacks and debuggers.
        return f"JwtTokenIssuer(issuer={self._issuer!r}, audience={self._audience!r})"

    def issue(self, claims: AccessClaims) -> str:
        """A signed token carrying ``claims``; times are truncated to whole seconds."""
        payload = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(claims.subject),
            "sid": str(claims.session_id),
            "tid": str(claims.tenant_id),
            "iat": int(claims.issued_at.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM, headers={"typ": TOKEN_TYPE})

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid token; raises NotAuthenticated for anything else."""
        if len(token) > MAX_TOKEN_CHARS:
            raise NotAuthenticated("invalid access token")
        try:
            decoded = jwt.decode_complete(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                # Expiry is checked below against the injected clock, not the wall clock.
                options={
                    "require": _REQUIRED_CLAIMS,
                    "strict_aud": True,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
            return self._claims(decoded["header"], decoded["payload"])
        # UnicodeError (a ValueError): a token with lone surrogates cannot even be encoded.
        except (jwt.PyJWTError, ValueError) as exc:
            raise NotAuthenticated("invalid access token") from exc

    def _claims(self, header: dict[str, Any], payload: dict[str, Any]) -> AccessClaims:
        # Only the header we write is accepted: no kid, jku, jwk, x5u, x5c or crit can
        # steer which key is used, and the type keeps other JWTs from passing as ours.
        if header.keys() != _HEADER_KEYS or header["typ"] != TOKEN_TYPE:
            raise NotAuthenticated("invalid access token")
        issued_at = _numeric_date(payload["iat"])
        expires_at = _numeric_date(payload["exp"])
        now = self._clock.now().timestamp()
        if expires_at.timestamp() <= now - LEEWAY_SECONDS:
            raise NotAuthenticated("access token expired")
        if issued_at.timestamp() > now + LEEWAY_SECONDS:
            raise NotAuthenticated("access token issued in the future")
        return AccessClaims(
            session_id=_uuid(payload["sid"]),
            subject=_uuid(payload["sub"]),
            tenant_id=_uuid(payload["tid"]),
            issued_at=issued_at,
            expires_at=expires_at,
        )


def _numeric_date(value: object) -> datetime:
    # bool is an int subclass, and PyJWT would also take floats and numeric strings.
    if type(value) is not int:
        raise NotAuthenticated("invalid access token")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError) as exc:
        raise NotAuthenticated("invalid access token") from exc


def _uuid(value: object) -> uuid.UUID:
    # Only the canonical form we issue; uuid.UUID alone would take braces and urn: too.
    if not isinstance(value, str):
        raise NotAuthenticated("invalid access token")
    parsed = uuid.UUID(value)
    if str(parsed) != value:
        raise NotAuthenticated("invalid access token")
    return parsed
