"""The one MIME shape every mail adapter sends or stores: multipart/alternative with
a text and an HTML part, and the header checks all mailers share."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from chatcore.identity.ports import MailMessage


def refuse_line_breaks(name: str, value: str) -> None:
    """ValueError if a header value (named for the message) contains a line break."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"the mail {name} must not contain line breaks")


def refuse_header_line_breaks(mail: MailMessage) -> None:
    """ValueError if the mail's recipient or subject contains a line break."""
    # The email package refuses line breaks in headers too; checking first makes the
    # refusal explicit, independent of the policy in use, and shared by the console
    # mailer, where they would forge log lines.
    refuse_line_breaks("recipient", mail.to)
    refuse_line_breaks("subject", mail.subject)


def compose(mail: MailMessage, sender: str, *, domain: str) -> EmailMessage:
    """The mail as a MIME message from sender, its Message-ID in the given domain."""
    refuse_header_line_breaks(mail)
    email = EmailMessage()
    email["From"] = sender
    email["To"] = mail.to
    email["Subject"] = mail.subject
    email["Date"] = formatdate(usegmt=True)
    # An explicit domain: without one, make_msgid looks up this host's name (blocking DNS).
    email["Message-ID"] = make_msgid(domain=domain)
    email.set_content(mail.text)
    email.add_alternative(mail.html, subtype="html")
    return email
