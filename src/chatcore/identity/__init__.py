"""Identity: accounts, sign-in (password, one-time code, anonymous), sessions and
their tokens, and the principal every request acts for.

This package exports the context's types: its model and its ports; its use cases
are exported by ``chatcore.identity.use_cases``."""

from chatcore.identity.api_keys import ApiKey, ApiKeyId
from chatcore.identity.model import (
    AuthThrottle,
    Credential,
    EmailConfirmation,
    OtpChallenge,
    OtpVerdict,
    Session,
    SessionId,
    ThrottleScope,
    User,
)
from chatcore.identity.policy import IdentityPolicy
from chatcore.identity.ports import (
    AccessClaims,
    ApiKeyRepository,
    AuthThrottleRepository,
    EmailConfirmationRepository,
    Mailer,
    MailMessage,
    OtpChallengeRepository,
    PasswordHasher,
    SessionRepository,
    TokenIssuer,
    UserRepository,
)
from chatcore.identity.principal import Principal, PrincipalKind

__all__ = [
    "AccessClaims",
    "ApiKey",
    "ApiKeyId",
    "ApiKeyRepository",
    "AuthThrottle",
    "AuthThrottleRepository",
    "Credential",
    "EmailConfirmation",
    "EmailConfirmationRepository",
    "IdentityPolicy",
    "MailMessage",
    "Mailer",
    "OtpChallenge",
    "OtpChallengeRepository",
    "OtpVerdict",
    "PasswordHasher",
    "Principal",
    "PrincipalKind",
    "Session",
    "SessionId",
    "SessionRepository",
    "ThrottleScope",
    "TokenIssuer",
    "User",
    "UserRepository",
]
