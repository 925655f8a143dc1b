"""The core's error tree. Every error carries a stable machine ``code``; the HTTP
shell maps each class to a status in one table and never inspects messages."""

from __future__ import annotations

__all__ = [
    "AdminRequired",
    "AuthMethodDisabled",
    "ChatcoreError",
    "Conflict",
    "CsrfRejected",
    "EmailNotConfirmed",
    "FileTooLarge",
    "Forbidden",
    "InvalidCredentials",
    "InvalidInput",
    "ModelNotFound",
    "NotAuthenticated",
    "NotFound",
    "OtpExpired",
    "OtpInvalid",
    "QuotaExceeded",
    "RateLimited",
    "StorageQuotaExceeded",
    "TenantMismatch",
    "TenantNotFound",
    "TokenInvalid",
    "Unavailable",
    "Unsupported",
    "UnsupportedMediaType",
]


class ChatcoreError(Exception):
    """Base of every error the core raises on purpose."""

    code = "error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(ChatcoreError):
    """The thing does not exist, or belongs to someone else (never told apart)."""

    code = "not_found"


class TenantNotFound(NotFound):
    """No tenant has this id or slug."""

    code = "tenant_not_found"


class ModelNotFound(NotFound):
    """A completion asked for a model this server does not offer."""

    code = "model_not_found"


class Conflict(ChatcoreError):
    """The change clashes with existing state (a taken slug, a duplicate)."""

    code = "conflict"


class InvalidInput(ChatcoreError):
    """A value parsed but broke a domain rule; ``field`` names it."""

    code = "validation_failed"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Unsupported(ChatcoreError):
    """A request asks for something well-formed that this server does not do (several
    choices, tools, images in a completion)."""

    code = "unsupported"


class NotAuthenticated(ChatcoreError):
    """No credential, or one that is expired, revoked or forged."""

    code = "not_authenticated"


class InvalidCredentials(ChatcoreError):
    """The email and password do not match an account (never told which is wrong)."""

    code = "invalid_credentials"


class OtpInvalid(ChatcoreError):
    """The one-time code is wrong, used, replaced or dead from too many tries."""

    code = "otp_invalid"


class OtpExpired(ChatcoreError):
    """The one-time code was right once but its time is up."""

    code = "otp_expired"


class TokenInvalid(ChatcoreError):
    """An email-confirmation token that is unknown, used or expired."""

    code = "token_invalid"


class AdminRequired(ChatcoreError):
    """An administration call without the right admin token."""

    code = "admin_required"


class Forbidden(ChatcoreError):
    """The principal is known but may not do this."""

    code = "forbidden"


class TenantMismatch(Forbidden):
    """A credential issued in one tenant was presented in another."""

    code = "tenant_mismatch"


class EmailNotConfirmed(Forbidden):
    """The password is right but the account's email address is not confirmed yet."""

    code = "email_not_confirmed"


class AuthMethodDisabled(Forbidden):
    """The tenant does not allow this way of signing in."""

    code = "auth_method_disabled"


class CsrfRejected(Forbidden):
    """A cookie-authenticated change sent from a page of a foreign origin."""

    code = "csrf_rejected"


class RateLimited(ChatcoreError):
    """Too many attempts; ``retry_after`` seconds until the next one may pass."""

    code = "rate_limited"

    def __init__(self, retry_after: int, detail: str = "Too many requests.") -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)


class QuotaExceeded(ChatcoreError):
    """The monthly token quota (the principal's, or the tenant's cap) is used up."""

    code = "quota_exceeded"


class StorageQuotaExceeded(ChatcoreError):
    """The principal's documents would take more room than its storage quota allows."""

    code = "storage_quota_exceeded"


class Unavailable(ChatcoreError):
    """A dependency (database, mail server, model provider) cannot be reached."""

    code = "unavailable"

    def __init__(self, dependency: str) -> None:
        super().__init__(f"{dependency} is unavailable")
        self.dependency = dependency


class FileTooLarge(ChatcoreError):
    """An upload is larger than the configured limit."""

    code = "file_too_large"


class UnsupportedMediaType(ChatcoreError):
    """An upload (judged from its bytes) or a request body (from its declared type) of a
    kind that is not accepted."""

    code = "unsupported_media_type"
