"""What the outside world asks of identity: sign up, sign in (password, one-time
code, anonymous), resolve and end sessions, read and delete accounts, purge expired
rows, erase an owner's."""

from chatcore.identity.use_cases.accounts import DeleteAccount, GetAccount
from chatcore.identity.use_cases.api_keys import (
    ApiKeyUsage,
    AuthenticateApiKey,
    CreateApiKey,
    ListApiKeys,
    NewApiKey,
    RevokeApiKey,
)
from chatcore.identity.use_cases.erasure import IdentityEraser
from chatcore.identity.use_cases.housekeeping import PurgeExpired, PurgeReport
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

__all__ = [
    "ApiKeyUsage",
    "AuthenticateApiKey",
    "ConfirmEmail",
    "CreateAnonymousSession",
    "CreateApiKey",
    "DeleteAccount",
    "DeleteSession",
    "GetAccount",
    "IdentityEraser",
    "ListApiKeys",
    "Login",
    "Logout",
    "NewApiKey",
    "PurgeExpired",
    "PurgeReport",
    "Register",
    "RequestOtp",
    "ResolvePrincipal",
    "RevokeApiKey",
    "SessionStarter",
    "VerifyOtp",
]
