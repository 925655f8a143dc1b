"""Security adapters: argon2id password hashing and JWT access tokens."""

from adapters.security.argon2 import Argon2PasswordHasher
from adapters.security.jwt import JwtTokenIssuer

__all__ = ["Argon2PasswordHasher", "JwtTokenIssuer"]
