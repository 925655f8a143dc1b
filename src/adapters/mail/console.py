"""The development mailer: mails go to the server log, where a developer reads the
code or link they carry. Nothing is sent and nothing is kept."""

from __future__ import annotations

import logging

from chatcore.identity.credentials import MailMessage

logger = logging.getLogger("chatcore.mail")


class ConsoleMailer:
    """A Mailer that logs each mail (recipient, subject, text body) at INFO."""

    async def send(self, message: MailMessage) -> None:
        """Log the mail; ValueError for line breaks in the recipient or subject."""
        # SmtpMailer refuses them too, and here they would forge log lines.
        for name, value in (("recipient", message.to), ("subject", message.subject)):
            if "\r" in value or "\n" in value:
                raise ValueError(f"the mail {name} must not contain line breaks")
        logger.info("Mail to %s\nSubject: %s\n\n%s", message.to, message.subject, message.text)
