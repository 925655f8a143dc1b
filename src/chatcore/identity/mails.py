"""The mails identity sends, as plain text and HTML, in the tenant's name."""

from __future__ import annotations

from html import escape

from chatcore.identity.ports import MailMessage
from chatcore.tenants.model import Tenant


def otp_mail(tenant: Tenant, to: str, code: str, ttl_seconds: int) -> MailMessage:
    """The mail carrying a sign-in code."""
    minutes = max(1, ttl_seconds // 60)
    lines = [
        f"Your sign-in code for {tenant.name} is:",
        code,
        f"It works once, for {minutes} minutes.",
        "If you did not ask for it, ignore this mail: nobody can sign in without the code.",
    ]
    return _message(tenant, to, f"Your {tenant.name} sign-in code", lines, highlight=code)


def confirmation_mail(tenant: Tenant, to: str, link: str, ttl_hours: int) -> MailMessage:
    """The mail carrying the link that confirms a new account's address."""
    lines = [
        f"Someone (we hope you) signed up for {tenant.name} with this address.",
        f"Open this link within {ttl_hours} hours to confirm it:",
        link,
        "If it was not you, ignore this mail: the account stays unconfirmed.",
    ]
    return _message(tenant, to, f"Confirm your email for {tenant.name}", lines, link=link)


def already_registered_mail(tenant: Tenant, to: str) -> MailMessage:
    """The mail sent instead when someone signs up with an address that has an account."""
    lines = [
        f"Someone tried to sign up for {tenant.name} with this address,"
        " which already has a confirmed account.",
        "If it was you, sign in instead. If not, nothing changed and you can ignore this mail.",
    ]
    return _message(tenant, to, f"Sign-up attempt at {tenant.name}", lines)


def _message(
    tenant: Tenant,
    to: str,
    subject: str,
    lines: list[str],
    *,
    highlight: str | None = None,
    link: str | None = None,
) -> MailMessage:
    paragraphs = []
    for line in lines:
        if line == highlight:
            paragraphs.append(f"<p><strong>{escape(line)}</strong></p>")
        elif line == link:
            paragraphs.append(f'<p><a href="{escape(line)}">{escape(line)}</a></p>')
        else:
            paragraphs.append(f"<p>{escape(line)}</p>")
    html = (
        f"<!doctype html><html><body><h1>{escape(tenant.name)}</h1>"
        f"{''.join(paragraphs)}</body></html>"
    )
    return MailMessage(to=to, subject=subject, text="\n\n".join(lines) + "\n", html=html)
