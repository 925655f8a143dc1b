"""Mail into a Maildir folder: nothing leaves the machine, and a program (the live
contract checks, a test, a developer's mail client) reads what was sent."""

from __future__ import annotations

import asyncio
import mailbox
import time
from pathlib import Path

from adapters.mail.message import compose, refuse_line_breaks
from chatcore.errors import Unavailable
from chatcore.identity.ports import MailMessage

SENDER = "chatcore <no-reply@localhost>"
# Message-IDs need a domain; this one names where the mail was kept, not a real host.
MAILDIR_DOMAIN = "chatcore.maildir"


class MaildirMailer:
    """A Mailer writing each mail (multipart text and HTML) into a Maildir folder,
    created or completed when needed; raises Unavailable("mail") when it cannot write."""

    def __init__(self, path: str | Path, *, sender: str = SENDER) -> None:
        refuse_line_breaks("sender", sender)
        self._path = Path(path)
        self._sender = sender

    async def send(self, message: MailMessage) -> None:
        """Store the mail; ValueError for line breaks in recipient or subject."""
        stored = mailbox.MaildirMessage(compose(message, self._sender, domain=MAILDIR_DOMAIN))
        # Readers order mails by this time; the file's own mtime is too coarse for that.
        stored.set_date(time.time())
        await asyncio.to_thread(self._store, stored)

    def _store(self, stored: mailbox.MaildirMessage) -> None:
        try:
            # mailbox makes cur, new and tmp only when it makes the folder itself: a
            # folder that exists already (empty, or emptied) must be completed here.
            for part in ("cur", "new", "tmp"):
                (self._path / part).mkdir(parents=True, exist_ok=True)
            mailbox.Maildir(self._path, create=False).add(stored)
        except OSError as exc:
            raise Unavailable("mail") from exc
