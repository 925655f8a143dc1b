"""The Mailer contract: recipient, subject and text body arrive intact; header
injection is refused."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import pytest

from chatcore.identity.ports import Mailer, MailMessage

CODE_MAIL = MailMessage(
    to="ana@example.com",
    subject="Your sign-in code",
    text="Your code is 493027.\nIt expires in 10 minutes.",
    html="<p>Your code is <b>493027</b>.</p><p>It expires in 10 minutes.</p>",
)


class Delivered(msgspec.Struct, frozen=True):
    """What a reader of the mail sees, whichever way it was delivered."""

    to: str
    subject: str
    text: str


class MailerUnderTest(msgspec.Struct, frozen=True):
    """A mailer and a way to read back, in order, every mail it has delivered."""

    mailer: Mailer
    inbox: Callable[[], list[Delivered]]


class MailerContract:
    """What every Mailer does.

    Needs a fixture ``mail`` returning a ``MailerUnderTest`` whose inbox starts empty.
    """

    async def test_a_code_mail_arrives_with_recipient_subject_and_body(
        self, mail: MailerUnderTest
    ) -> None:
        await mail.mailer.send(CODE_MAIL)
        assert mail.inbox() == [Delivered(CODE_MAIL.to, CODE_MAIL.subject, CODE_MAIL.text)]
        assert "493027" in mail.inbox()[0].text

    async def test_non_ascii_subject_and_body_arrive_intact(self, mail: MailerUnderTest) -> None:
        message = MailMessage(
            to="zoë@example.com",
            subject="Ihr Anmeldecode — 048213",
            text="Grüße! Ihr Code: 048213 ✓",
            html="<p>Grüße!</p>",
        )
        await mail.mailer.send(message)
        assert mail.inbox() == [Delivered(message.to, message.subject, message.text)]

    async def test_each_mail_goes_to_its_own_recipient(self, mail: MailerUnderTest) -> None:
        first = MailMessage(to="a@example.com", subject="One", text="111111", html="<p>1</p>")
        second = MailMessage(to="b@example.com", subject="Two", text="222222", html="<p>2</p>")
        await mail.mailer.send(first)
        await mail.mailer.send(second)
        assert mail.inbox() == [
            Delivered("a@example.com", "One", "111111"),
            Delivered("b@example.com", "Two", "222222"),
        ]

    @pytest.mark.parametrize(
        "change",
        [
            {"to": "ana@example.com\r\nBcc: all@example.com"},
            {"to": "ana@example.com\n"},
            {"subject": "Hello\nBcc: all@example.com"},
            {"subject": "Hello\r"},
        ],
    )
    async def test_line_breaks_in_recipient_or_subject_are_refused(
        self, mail: MailerUnderTest, change: dict[str, str]
    ) -> None:
        with pytest.raises(ValueError, match="line breaks"):
            await mail.mailer.send(msgspec.structs.replace(CODE_MAIL, **change))
        assert mail.inbox() == []
