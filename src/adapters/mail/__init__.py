"""Mail adapters: SMTP for deployments, the server log for development."""

from adapters.mail.console import ConsoleMailer
from adapters.mail.smtp import SmtpMailer

__all__ = ["ConsoleMailer", "SmtpMailer"]
