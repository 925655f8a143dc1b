"""The Maildir a deployment delivers into: wait for a mail to an address, take it out,
and read the code or the confirmation link it carries."""

from __future__ import annotations

import email
import mailbox
import re
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

_CODE = re.compile(r"\b(\d{6})\b")
_CONFIRM_LINK = re.compile(r"/v1/auth/confirm\?token=([^\s\"'<>]+)")


class Mailbox:
    """A Maildir folder, read with the standard library's ``mailbox``."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path, self.timeout = path, timeout

    def take(self, to: str) -> str:
        """The text of the newest mail to ``to``, removed from the folder; fails after
        ``timeout`` seconds without one."""
        deadline = time.monotonic() + self.timeout
        while True:
            text = self._remove_newest(to)
            if text is not None:
                return text
            assert time.monotonic() < deadline, (
                f"no mail to {to} arrived in the Maildir {self.path} within {self.timeout:g} s"
            )
            time.sleep(0.05)

    def _remove_newest(self, to: str) -> str | None:
        if not (self.path / "new").is_dir():  # the server creates it with its first mail
            return None
        folder = mailbox.Maildir(self.path, create=False)
        found: list[tuple[float, str, EmailMessage]] = []
        for key, stored in folder.items():
            mail = email.message_from_bytes(
                folder.get_bytes(key), _class=EmailMessage, policy=policy.default
            )
            if to.lower() in str(mail.get("To", "")).lower():
                found.append((stored.get_date(), key, mail))
        if not found:
            return None
        # Every mail to this address is the check's own; none is left behind.
        for _, key, _ in found:
            folder.discard(key)
        _, _, newest = max(found, key=lambda entry: entry[0])
        body = newest.get_body(preferencelist=("plain",))
        assert isinstance(body, EmailMessage), f"the mail to {to} has no text part"
        content: str = body.get_content()
        return content


def sign_in_code(text: str) -> str:
    """The six-digit code a sign-in mail carries."""
    found = _CODE.search(text)
    assert found, f"no six-digit code in the mail: {text!r}"
    return found.group(1)


def confirmation_path(text: str) -> str:
    """The path and query of the confirmation link a sign-up mail carries (the link's
    host is the deployment's public URL, which need not be the one checked)."""
    found = _CONFIRM_LINK.search(text)
    assert found, f"no confirmation link in the mail: {text!r}"
    return found.group(0)
