"""The pure rules: email and password checks, the code's state, the throttles' arithmetic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatcore.errors import InvalidInput
from chatcore.identity.model import AuthThrottle, OtpChallenge, clean_user_agent, normalize_email
from chatcore.identity.policy import IdentityPolicy, common_passwords, validate_password
from chatcore.identity.throttling import after_mail, login_wait, mail_wait
from tests.unit.fakes import T0

POLICY = IdentityPolicy()


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Alice@Example.COM", "alice@example.com"),
        ("a.b+tag@sub.example.org", "a.b+tag@sub.example.org"),
        ("jörg@bücher.de", "jörg@bücher.de"),
        ("dev@localhost", "dev@localhost"),
    ],
)
def test_addresses_are_lowercased(raw: str, normal: str) -> None:
    assert normalize_email(raw) == normal


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "no-at-sign",
        "@example.com",
        "alice@",
        "alice@example.com\r\nBcc: eve@evil.test",
        "alice@example.com\nBcc: eve@evil.test",
        "alice@exam\x00ple.com",
        "alice smith@example.com",
        " alice@example.com",
        "alice@example.com,eve@evil.test",
        "Alice <alice@example.com>",
        '"alice"@example.com',
        "a@b@example.com",
        "alice..x@example.com",
        ".alice@example.com",
        "alice@example..com",
        "alice@-example.com",
        "alice@example.com.",
        "alice\u2028@example.com",
        "alice\u200b@example.com",
        "a" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
    ],
)
def test_anything_but_one_plain_address_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_email(raw)
    assert caught.value.field == "email"


@given(st.text())
def test_an_accepted_address_can_carry_no_header(raw: str) -> None:
    try:
        email = normalize_email(raw)
    except InvalidInput:
        return
    assert email.count("@") == 1
    assert not any(ch in email for ch in '\r\n\t ,;<>"')
    assert len(email) <= 254
    assert normalize_email(email) == email


@pytest.mark.parametrize(
    "password", ["correct horse", "пароль-длинный", "🔑🔑🔑🔑🔑🔑🔑🔑", "x" * 128]
)
def test_passwords_of_8_to_128_characters_are_accepted(password: str) -> None:
    assert validate_password(password, POLICY) == password


@pytest.mark.parametrize("password", ["short", "1234567", "x" * 129])
def test_passwords_outside_the_length_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_password(password, POLICY)
    assert caught.value.field == "password"


@pytest.mark.parametrize("password", ["password", "PASSWORD1", "qwertyuiop", "iloveyou"])
def test_common_passwords_are_refused_whatever_their_case(password: str) -> None:
    with pytest.raises(InvalidInput, match="common"):
        validate_password(password, POLICY)


def test_the_shipped_list_holds_a_thousand_passwords_long_enough_to_choose() -> None:
    passwords = common_passwords()
    assert len(passwords) == 1000
    assert all(len(p) >= 8 for p in passwords)


def test_passwords_are_compared_after_unicode_normalisation() -> None:
    composed, decomposed = "caf\u00e9-caf\u00e9", "cafe\u0301-cafe\u0301"
    assert validate_password(composed, POLICY) == validate_password(decomposed, POLICY)


def test_user_agents_are_cut_and_cleaned() -> None:
    assert clean_user_agent(None) is None
    assert clean_user_agent("  \n ") is None
    assert clean_user_agent("Mozilla\r\n/5.0") == "Mozilla/5.0"
    assert len(clean_user_agent("a" * 2000) or "") == 512


def _challenge(**changes: object) -> OtpChallenge:
    fields: dict[str, object] = {
        "email": "a@example.com",
        "code_hash": "right",
        "issued_at": T0,
        "expires_at": T0 + timedelta(minutes=10),
    }
    return OtpChallenge(**(fields | changes))  # type: ignore[arg-type]


def test_the_right_code_is_accepted_once() -> None:
    after, verdict = _challenge().attempt("right", T0, 5)
    assert verdict == "accepted"
    assert after.used_at == T0
    assert after.attempt("right", T0, 5)[1] == "invalid"


def test_wrong_tries_keep_counting_and_a_dead_code_refuses_the_right_digits() -> None:
    challenge = _challenge()
    for expected in range(1, 8):
        challenge, verdict = challenge.attempt("wrong", T0, 5)
        assert (verdict, challenge.attempts) == ("invalid", expected)
    assert challenge.attempt("right", T0, 5)[1] == "invalid"


def test_an_expired_code_says_so_and_counts_nothing() -> None:
    challenge = _challenge()
    assert challenge.attempt("right", challenge.expires_at, 5) == (challenge, "expired")


def _throttle(count: int, started_s: float = 0, last_s: float = 0) -> AuthThrottle:
    return AuthThrottle(
        scope="otp_mail",
        subject="a@example.com",
        count=count,
        window_started_at=T0 + timedelta(seconds=started_s),
        last_at=T0 + timedelta(seconds=last_s),
    )


def test_a_mail_waits_for_the_gap_then_for_the_hour() -> None:
    assert mail_wait(_throttle(0), T0, POLICY) == 0
    assert mail_wait(_throttle(1), T0 + timedelta(seconds=15), POLICY) == 45
    assert mail_wait(_throttle(1), T0 + timedelta(seconds=60), POLICY) == 0
    full = _throttle(10, started_s=0, last_s=600)
    assert mail_wait(full, T0 + timedelta(seconds=700), POLICY) == 3600 - 700
    assert mail_wait(full, T0 + timedelta(seconds=3600), POLICY) == 0


def test_a_new_hour_starts_a_new_window() -> None:
    later = T0 + timedelta(hours=1, seconds=1)
    renewed = after_mail(_throttle(10), later)
    assert (renewed.count, renewed.window_started_at, renewed.last_at) == (1, later, later)
    assert after_mail(_throttle(3), T0).count == 4


def test_the_login_wait_doubles_from_one_second_to_the_cap() -> None:
    waits = [login_wait(_throttle(count), T0, POLICY) for count in range(4, 20)]
    assert waits[:2] == [0, 1]
    assert waits[2:6] == [2, 4, 8, 16]
    assert max(waits) == POLICY.login_backoff_cap_seconds
    assert login_wait(_throttle(10_000), T0, POLICY) == POLICY.login_backoff_cap_seconds
    assert login_wait(_throttle(10_000), T0 + timedelta(seconds=900), POLICY) == 0
