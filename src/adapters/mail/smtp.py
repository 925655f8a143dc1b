"""Mail over SMTP (aiosmtplib): one multipart/alternative message per mail, a bounded
wait on the server, and one retry when the failure looks temporary."""

from __future__ import annotations

import asyncio
import logging
from email.utils import parseaddr

import aiosmtplib

from adapters.mail.message import compose, refuse_line_breaks
from chatcore.errors import Unavailable
from chatcore.identity.ports import MailMessage

logger = logging.getLogger("chatcore.mail")

ATTEMPTS = 2


class SmtpMailer:
    """A Mailer delivering through one SMTP server; raises Unavailable("mail") on failure."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        use_tls: bool = False,
        timeout: float = 10.0,
        retry_delay: float = 1.0,
    ) -> None:
        if starttls and use_tls:
            raise ValueError("choose STARTTLS or implicit TLS for SMTP, not both")
        refuse_line_breaks("sender", sender)
        local_part, at, domain = parseaddr(sender)[1].rpartition("@")
        if not (local_part and at and domain):
            raise ValueError(f"the mail sender {sender!r} is not an email address")
        self._host = host
        self._port = port
        self._sender = sender
        # Message-IDs name the sender's domain; without one, make_msgid would look up
        # this host's name, a blocking DNS query.
        self._domain = domain
        # An unset setting often arrives as "", which must not trigger a login.
        self._username = username or None
        self._password = password or None
        self._starttls = starttls
        self._use_tls = use_tls
        self._timeout = timeout
        self._retry_delay = retry_delay

    def __repr__(self) -> str:
        # The default repr would show the password in tracebacks and debuggers.
        return f"SmtpMailer(host={self._host!r}, port={self._port}, sender={self._sender!r})"

    async def send(self, message: MailMessage) -> None:
        """Deliver the message; ValueError for line breaks in recipient or subject."""
        email = compose(message, self._sender, domain=self._domain)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await aiosmtplib.send(
                    email,
                    hostname=self._host,
                    port=self._port,
                    username=self._username,
                    password=self._password,
                    start_tls=self._starttls,
                    use_tls=self._use_tls,
                    timeout=self._timeout,
                )
                return
            except (aiosmtplib.SMTPException, OSError) as exc:
                logger.warning(
                    "Mail delivery via %s:%d failed (attempt %d of %d): %s",
                    self._host,
                    self._port,
                    attempt,
                    ATTEMPTS,
                    exc,
                )
                if attempt == ATTEMPTS or not _is_transient(exc):
                    raise Unavailable("mail") from exc
            await asyncio.sleep(self._retry_delay)


def _is_transient(exc: Exception) -> bool:
    # A 4xx reply means "try again later"; a 5xx one will not change on a retry.
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 400 <= exc.code < 500
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(400 <= refusal.code < 500 for refusal in exc.recipients)
    # Refused or dropped connections and timeouts (aiosmtplib's errors subclass these).
    return isinstance(exc, ConnectionError | TimeoutError)
