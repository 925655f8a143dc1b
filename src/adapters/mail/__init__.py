"""Mail adapters: SMTP for deployments, a Maildir folder or the server log otherwise."""

from adapters.mail.console import ConsoleMailer
from adapters.mail.maildir import MaildirMailer
from adapters.mail.smtp import SmtpMailer

__all__ = ["ConsoleMailer", "MaildirMailer", "SmtpMailer"]
