"""Sign-in by mailed code, on the in-memory adapters."""

from __future__ import annotations

import pytest

from chatcore.errors import (
    AuthMethodDisabled,
    InvalidInput,
    OtpExpired,
    OtpInvalid,
    RateLimited,
    Unavailable,
)
from tests.unit.fakes import IdentityKit


async def test_a_mailed_code_signs_in_and_creates_a_confirmed_account() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.request_otp(tenant, "Alice@Example.com")
    mail = kit.mailer.last_to("alice@example.com")
    code = kit.mailer.last_code("alice@example.com")
    assert tenant.name in mail.subject
    assert code in mail.text and code in mail.html

    credential = await kit.verify_otp(tenant, "alice@example.com", code, "Firefox")

    user = credential.user
    assert user is not None
    assert (user.email, user.tenant_id, user.email_confirmed_at) == (
        "alice@example.com",
        tenant.id,
        kit.clock.now(),
    )
    assert credential.session.user_agent == "Firefox"
    assert credential.expires_in == kit.policy.session_ttl_minutes * 60
    principal = await kit.resolve(credential.access_token, tenant.id)
    assert (principal.id, principal.kind) == (user.id, "user")


async def test_signing_in_again_finds_the_same_account() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    first = await kit.resolve(await kit.sign_in_by_code(tenant, "a@example.com"), None)
    kit.clock.advance(61)
    second = await kit.resolve(await kit.sign_in_by_code(tenant, "a@example.com"), None)
    assert first.id == second.id
    assert first.session_id != second.session_id


async def test_a_code_works_once() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.request_otp(tenant, "a@example.com")
    code = kit.mailer.last_code("a@example.com")
    await kit.verify_otp(tenant, "a@example.com", code, None)
    with pytest.raises(OtpInvalid):
        await kit.verify_otp(tenant, "a@example.com", code, None)


async def test_an_expired_code_is_told_apart_from_a_wrong_one() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.request_otp(tenant, "a@example.com")
    code = kit.mailer.last_code("a@example.com")
    kit.clock.advance(kit.policy.otp_ttl_seconds)
    with pytest.raises(OtpExpired):
        await kit.verify_otp(tenant, "a@example.com", code, None)


async def test_five_wrong_tries_kill_the_code() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.request_otp(tenant, "a@example.com")
    code = kit.mailer.last_code("a@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(OtpInvalid):
            await kit.verify_otp(tenant, "a@example.com", wrong, None)
    with pytest.raises(OtpInvalid):
        await kit.verify_otp(tenant, "a@example.com", code, None)


async def test_four_wrong_tries_still_leave_the_right_code_working() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.request_otp(tenant, "a@example.com")
    code = kit.mailer.last_code("a@example.com")
    for wrong in ("000000x", "", "12345", "abcdef"):
        with pytest.raises(OtpInvalid):
            await kit.verify_otp(tenant, "a@example.com", wrong, None)
    assert (await kit.verify_otp(tenant, "a@example.com", code, None)).user is not None


async def test_a_new_request_replaces_the_old_code() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.request_otp(tenant, "a@example.com")
    old = kit.mailer.last_code("a@example.com")
    kit.clock.advance(60)
    await kit.request_otp(tenant, "a@example.com")
    new = kit.mailer.last_code("a@example.com")
    if old != new:
        with pytest.raises(OtpInvalid):
            await kit.verify_otp(tenant, "a@example.com", old, None)
    assert (await kit.verify_otp(tenant, "a@example.com", new, None)).user is not None


async def test_a_code_is_bound_to_its_email_and_tenant() -> None:
    kit = IdentityKit()
    acme, other = await kit.add_tenant("acme"), await kit.add_tenant("other")
    await kit.request_otp(acme, "a@example.com")
    await kit.request_otp(other, "b@example.com")
    code = kit.mailer.last_code("a@example.com")
    with pytest.raises(OtpInvalid):
        await kit.verify_otp(other, "a@example.com", code, None)
    with pytest.raises(OtpInvalid):
        await kit.verify_otp(acme, "b@example.com", code, None)
    assert (await kit.verify_otp(acme, "a@example.com", code, None)).user is not None


async def test_a_repeat_request_within_the_gap_is_refused_without_a_mail() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.request_otp(tenant, "a@example.com")
    code = kit.mailer.last_code("a@example.com")
    kit.clock.advance(20)
    with pytest.raises(RateLimited) as caught:
        await kit.request_otp(tenant, "a@example.com")
    assert caught.value.retry_after == 40
    assert len(kit.mailer.outbox) == 1
    # The refused request changed nothing: the first code still works.
    assert (await kit.verify_otp(tenant, "a@example.com", code, None)).user is not None


async def test_at_most_ten_codes_an_hour() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    for _ in range(10):
        await kit.request_otp(tenant, "a@example.com")
        kit.clock.advance(60)
    with pytest.raises(RateLimited) as caught:
        await kit.request_otp(tenant, "a@example.com")
    assert caught.value.retry_after == 3600 - 600
    assert len(kit.mailer.outbox) == 10
    kit.clock.advance(caught.value.retry_after)
    await kit.request_otp(tenant, "a@example.com")
    assert len(kit.mailer.outbox) == 11


async def test_the_throttle_is_per_email() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.request_otp(tenant, "a@example.com")
    await kit.request_otp(tenant, "b@example.com")
    assert [m.to for m in kit.mailer.outbox] == ["a@example.com", "b@example.com"]


async def test_known_and_unknown_addresses_get_the_same_answer() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.sign_in_by_code(tenant, "known@example.com")
    kit.clock.advance(60)
    await kit.request_otp(tenant, "known@example.com")
    await kit.request_otp(tenant, "unknown@example.com")
    a, b = kit.mailer.outbox[-2:]
    assert a.subject == b.subject
    assert a.text.replace(kit.mailer.last_code(a.to), "") == b.text.replace(
        kit.mailer.last_code(b.to), ""
    )


async def test_header_tricks_in_the_address_are_refused_without_a_mail() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    with pytest.raises(InvalidInput):
        await kit.request_otp(tenant, "a@example.com\r\nBcc: eve@evil.test")
    assert kit.mailer.outbox == []


async def test_a_tenant_without_codes_refuses_both_steps() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant(auth_methods=("password",))
    with pytest.raises(AuthMethodDisabled):
        await kit.request_otp(tenant, "a@example.com")
    with pytest.raises(AuthMethodDisabled):
        await kit.verify_otp(tenant, "a@example.com", "123456", None)
    assert kit.mailer.outbox == []


async def test_a_code_whose_mail_failed_is_neither_counted_nor_kept() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.request_otp(tenant, "a@example.com")
    delivered = kit.mailer.last_code("a@example.com")
    kit.clock.advance(kit.policy.otp_resend_seconds)
    kit.mailer.down = True
    with pytest.raises(Unavailable):
        await kit.request_otp(tenant, "a@example.com")
    kit.mailer.down = False
    await kit.verify_otp(tenant, "a@example.com", delivered, None)  # the earlier code works
    await kit.request_otp(tenant, "a@example.com")  # and no wait was spent on the failure
