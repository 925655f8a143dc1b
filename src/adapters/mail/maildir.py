"""Mail into a Maildir folder: nothing leaves the machine, and a program (the live
contract checks, a test, a developer's mail client) reads what was sent."""

from __future__ import annotations

import asyncio
import mailbox
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from chatcore.identity.credentials import MailMessage

SENDER = "chatcore <no-reply@localhost>"


class MaildirMailer:
    """A Mailer writing each mail (multipart text and HTML) into a Maildir folder,
    created when missing."""

    def __init__(self, path: str | Path, *, sender: str = SENDER) -> None:
        _refuse_line_breaks("sender", sender)
        self._path = Path(path)
        self._sender = sender

    async def send(self, message: MailMessage) -> None:
        """Store the mail; ValueError for line breaks in recipient or subject."""
        stored = mailbox.MaildirMessage(self._compose(message))
        # Readers order mails by this time; the file's own mtime is too coarse for that.
        stored.set_date(time.time())
        await asyncio.to_thread(self._store, stored)

    def _store(self, stored: mailbox.MaildirMessage) -> None:
        # Maildir creates its own folder (with cur, new and tmp) but not the ones above.
        self._path.parent.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(self._path, create=True).add(stored)

    def _compose(self, message: MailMessage) -> EmailMessage:
        _refuse_line_breaks("recipient", message.to)
        _refuse_line_breaks("subject", message.subject)
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)
        # A fixed domain: without one, make_msgid looks up this host's name (blocking DNS).
        email["Message-ID"] = make_msgid(domain="chatcore.maildir")
        email.set_content(message.text)
        email.add_alternative(message.html, subtype="html")
        return email


def _refuse_line_breaks(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"the mail {name} must not contain line breaks")
