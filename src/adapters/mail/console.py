"""The development mailer: mails go to the server log, where a developer reads the
code or link they carry. Nothing is sent and nothing is kept."""

from __future__ import annotations

import logging

from adapters.mail.message import refuse_header_line_breaks
from chatcore.identity.ports import MailMessage

logger = logging.getLogger("chatcore.mail")


class ConsoleMailer:
    """A Mailer that logs each mail (recipient, subject, text body) at INFO."""

    async def send(self, message: MailMessage) -> None:
        """Log the mail; ValueError for line breaks in the recipient or subject."""
        refuse_header_line_breaks(message)
        logger.info("Mail to %s\nSubject: %s\n\n%s", message.to, message.subject, message.text)
