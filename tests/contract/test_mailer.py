"""Mailer: the public contract (recipient, subject and text body) on every adapter; then
what only the Maildir mailer does (HTML part, its folder) and what only SMTP does (HTML
part, headers, retry, timeouts) against a capturing server on loopback."""

from __future__ import annotations

import asyncio
import email
import logging
import mailbox
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from adapters.mail import ConsoleMailer, MaildirMailer, SmtpMailer
from chatcore.errors import Unavailable
from chatcore.testing import MailerContract
from chatcore.testing.mailer import CODE_MAIL, Delivered, MailerUnderTest
from http_shell.container import make_mailer
from http_shell.settings import load_settings
from tests.support.smtp_server import CapturingSmtpServer

SENDER = "Chatcore <no-reply@chatcore.test>"


@pytest.fixture
def smtp_server() -> Iterator[CapturingSmtpServer]:
    with CapturingSmtpServer() as server:
        yield server


def smtp_mailer_for(
    server: CapturingSmtpServer, username: str | None = None, password: str | None = None
) -> SmtpMailer:
    return SmtpMailer(
        server.host,
        server.port,
        sender=SENDER,
        username=username,
        password=password,
        timeout=2.0,
        retry_delay=0.0,
    )


def mail_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == "chatcore.mail" and record.levelno == logging.WARNING
    ]


@pytest.fixture
def smtp_mailer(smtp_server: CapturingSmtpServer) -> MailerUnderTest:
    # The server has stored a mail before it answers 250, so send() returning means
    # the mail is in the list.
    def inbox() -> list[Delivered]:
        return [Delivered(mail.to, mail.subject, mail.text) for mail in smtp_server.mails]

    return MailerUnderTest(smtp_mailer_for(smtp_server), inbox)


@pytest.fixture
def console_mailer(caplog: pytest.LogCaptureFixture) -> MailerUnderTest:
    caplog.set_level(logging.INFO, logger="chatcore.mail")

    # Read back from the log line as a developer would, to keep the format readable.
    def inbox() -> list[Delivered]:
        delivered = []
        for record in caplog.records:
            if record.name == "chatcore.mail":
                head, _, text = record.getMessage().partition("\n\n")
                to_line, subject_line = head.split("\n")
                delivered.append(
                    Delivered(
                        to_line.removeprefix("Mail to "),
                        subject_line.removeprefix("Subject: "),
                        text,
                    )
                )
        return delivered

    return MailerUnderTest(ConsoleMailer(), inbox)


def maildir_mails(path: Path) -> list[EmailMessage]:
    """The mails of a Maildir folder in the order they were stored."""
    folder = mailbox.Maildir(path, create=False)
    stored = sorted(folder.items(), key=lambda item: item[1].get_date())
    return [
        email.message_from_bytes(folder.get_bytes(key), _class=EmailMessage, policy=policy.default)
        for key, _ in stored
    ]


@pytest.fixture
def maildir_mailer(tmp_path: Path) -> MailerUnderTest:
    # Read back as a mail client would: parse each stored file, take the text part.
    def inbox() -> list[Delivered]:
        if not (tmp_path / "mail").exists():
            return []
        delivered = []
        for mail in maildir_mails(tmp_path / "mail"):
            text = mail.get_body(preferencelist=("plain",))
            assert text is not None
            # MIME ends a text part with a line break the mail did not have.
            body = text.get_content().removesuffix("\n")
            delivered.append(Delivered(str(mail["To"]), str(mail["Subject"]), body))
        return delivered

    return MailerUnderTest(MaildirMailer(tmp_path / "mail", sender=SENDER), inbox)


class TestMailer(MailerContract):
    @pytest.fixture(params=["smtp", "console", "maildir"])
    def mail(self, request: pytest.FixtureRequest) -> MailerUnderTest:
        """Each mailer in turn, with a way to read what it delivered."""
        under_test: MailerUnderTest = request.getfixturevalue(f"{request.param}_mailer")
        return under_test


# What only the Maildir mailer does.


async def test_a_maildir_mail_has_the_html_part_and_headers(tmp_path: Path) -> None:
    await MaildirMailer(tmp_path / "new" / "folder", sender=SENDER).send(CODE_MAIL)
    [stored] = maildir_mails(tmp_path / "new" / "folder")
    assert stored.get_content_type() == "multipart/alternative"
    html = stored.get_body(preferencelist=("html",))
    assert html is not None and html.get_content().strip() == CODE_MAIL.html
    assert stored["From"] == SENDER and stored["Date"] is not None


@pytest.mark.parametrize(
    ("environ", "chosen"),
    [
        ({}, ConsoleMailer),
        ({"CHATCORE_MAIL_DIR": "mail"}, MaildirMailer),
        ({"CHATCORE_MAIL_DIR": "mail", "CHATCORE_SMTP_HOST": "smtp.example.com"}, SmtpMailer),
    ],
)
def test_the_settings_choose_smtp_then_a_maildir_then_the_log(
    environ: dict[str, str], chosen: type
) -> None:
    assert isinstance(make_mailer(load_settings(environ, env_file=None)), chosen)


# What only SMTP does.


async def test_smtp_mail_is_multipart_alternative_with_html_and_headers(
    smtp_server: CapturingSmtpServer,
) -> None:
    await smtp_mailer_for(smtp_server).send(CODE_MAIL)
    [received] = await smtp_server.wait_for(1)
    assert received.message.get_content_type() == "multipart/alternative"
    assert received.html == CODE_MAIL.html
    assert received.envelope_from == "no-reply@chatcore.test"
    assert received.envelope_to == ("ana@example.com",)
    assert received.message["From"] == SENDER
    assert received.message["Date"] is not None
    assert str(received.message["Message-ID"]).endswith("@chatcore.test>")
    assert (await smtp_server.mail_to("ana@example.com")) == received


async def test_one_temporary_failure_is_retried_and_the_mail_arrives(
    smtp_server: CapturingSmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.fail_next(1)
    with caplog.at_level(logging.WARNING, logger="chatcore.mail"):
        await smtp_mailer_for(smtp_server).send(CODE_MAIL)
    assert [mail.text for mail in smtp_server.mails] == [CODE_MAIL.text]
    assert len(mail_warnings(caplog)) == 1


async def test_two_temporary_failures_make_mail_unavailable(
    smtp_server: CapturingSmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.fail_next(2)
    with (
        caplog.at_level(logging.WARNING, logger="chatcore.mail"),
        pytest.raises(Unavailable) as raised,
    ):
        await smtp_mailer_for(smtp_server).send(CODE_MAIL)
    assert raised.value.dependency == "mail"
    assert smtp_server.mails == []
    assert len(mail_warnings(caplog)) == 2


async def test_a_permanent_refusal_is_not_retried(
    smtp_server: CapturingSmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.fail_next(2, reply="554 5.7.1 Rejected")
    with caplog.at_level(logging.WARNING, logger="chatcore.mail"), pytest.raises(Unavailable):
        await smtp_mailer_for(smtp_server).send(CODE_MAIL)
    assert len(mail_warnings(caplog)) == 1
    # The second prepared failure is still pending: no second attempt was made.
    with pytest.raises(Unavailable):
        await smtp_mailer_for(smtp_server).send(CODE_MAIL)


async def test_an_unreachable_port_is_unavailable_within_the_timeout() -> None:
    # A bound socket that does not listen: connections to it are refused.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        mailer = SmtpMailer(
            "127.0.0.1", closed.getsockname()[1], sender=SENDER, timeout=1.0, retry_delay=0.0
        )
        async with asyncio.timeout(5):
            with pytest.raises(Unavailable):
                await mailer.send(CODE_MAIL)


async def test_a_server_that_never_answers_times_out_as_unavailable() -> None:
    # The kernel completes the handshake on a listening socket, but no greeting comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        mailer = SmtpMailer(
            "127.0.0.1", silent.getsockname()[1], sender=SENDER, timeout=0.2, retry_delay=0.0
        )
        async with asyncio.timeout(5):
            with pytest.raises(Unavailable):
                await mailer.send(CODE_MAIL)


async def test_failures_are_logged_without_the_password(
    smtp_server: CapturingSmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    # The test server offers no AUTH without TLS, so the login fails.
    mailer = smtp_mailer_for(smtp_server, username="mailer", password="hunter2-s3cret")
    with caplog.at_level(logging.DEBUG), pytest.raises(Unavailable):
        await mailer.send(CODE_MAIL)
    assert mail_warnings(caplog)
    assert "hunter2-s3cret" not in caplog.text
    assert "hunter2-s3cret" not in repr(mailer)


@pytest.mark.parametrize(
    ("sender", "options"),
    [
        ("not an address", {}),
        (SENDER, {"starttls": True, "use_tls": True}),
        ("a@example.com\r\nBcc: x@example.com", {}),
    ],
)
def test_bad_smtp_settings_are_refused(sender: str, options: dict[str, bool]) -> None:
    with pytest.raises(ValueError):
        SmtpMailer("127.0.0.1", 25, sender=sender, **options)
