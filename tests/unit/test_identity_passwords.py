"""Sign-up, confirmation and password sign-in, on the in-memory adapters."""

from __future__ import annotations

import pytest

from chatcore.errors import (
    AuthMethodDisabled,
    EmailNotConfirmed,
    InvalidCredentials,
    InvalidInput,
    RateLimited,
    TokenInvalid,
)
from chatcore.tenants.model import Tenant
from tests.unit.fakes import IdentityKit

PASSWORD = "a long passphrase"


async def _registered(kit: IdentityKit, tenant: Tenant, email: str = "a@example.com") -> str:
    await kit.register(tenant, email, PASSWORD)
    return kit.mailer.last_token(email)


async def test_register_confirm_login() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.register(tenant, "A@Example.com", PASSWORD)
    mail = kit.mailer.last_to("a@example.com")
    token = kit.mailer.last_token("a@example.com")
    assert f"{kit.policy.public_url}/v1/auth/confirm?token={token}" in mail.text
    assert token in mail.html and tenant.name in mail.subject

    user = await kit.confirm_email(token)
    assert (user.tenant_id, user.email, user.email_confirmed_at) == (
        tenant.id,
        "a@example.com",
        kit.clock.now(),
    )

    credential = await kit.login(tenant, "a@example.com", PASSWORD, "curl")
    assert credential.user is not None and credential.user.id == user.id
    principal = await kit.resolve(credential.access_token, tenant.id)
    assert (principal.id, principal.kind) == (user.id, "user")


async def test_login_before_confirming_says_so_only_for_the_right_password() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await _registered(kit, tenant)
    with pytest.raises(InvalidCredentials):
        await kit.login(tenant, "a@example.com", "wrong password", None)
    with pytest.raises(EmailNotConfirmed):
        await kit.login(tenant, "a@example.com", PASSWORD, None)


async def test_a_confirmation_token_works_once() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    token = await _registered(kit, tenant)
    await kit.confirm_email(token)
    with pytest.raises(TokenInvalid):
        await kit.confirm_email(token)


async def test_a_confirmation_token_expires_after_a_day() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    token = await _registered(kit, tenant)
    kit.clock.advance(24 * 3600)
    with pytest.raises(TokenInvalid):
        await kit.confirm_email(token)


@pytest.mark.parametrize("token", ["", "garbage", "nothex.abc", "0" * 32 + ".abc"])
async def test_unknown_tokens_are_invalid(token: str) -> None:
    kit = IdentityKit()
    await kit.add_tenant()
    with pytest.raises(TokenInvalid):
        await kit.confirm_email(token)


async def test_a_tampered_token_is_invalid() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    token = await _registered(kit, tenant)
    with pytest.raises(TokenInvalid):
        await kit.confirm_email(token[:-1] + ("A" if token[-1] != "A" else "B"))


async def test_registering_a_confirmed_address_answers_alike_and_changes_nothing() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.confirm_email(await _registered(kit, tenant))
    kit.clock.advance(60)
    hashes_before = kit.hasher.hashes

    await kit.register(tenant, "a@example.com", "another passphrase")

    assert kit.hasher.hashes == hashes_before + 1  # as slow as a real sign-up
    notice = kit.mailer.last_to("a@example.com")
    assert "confirm?token=" not in notice.text and "already" in notice.text
    assert (await kit.login(tenant, "a@example.com", PASSWORD, None)).user is not None
    with pytest.raises(InvalidCredentials):
        await kit.login(tenant, "a@example.com", "another passphrase", None)


async def test_registering_an_unconfirmed_address_sends_a_new_link() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    first = await _registered(kit, tenant)
    kit.clock.advance(60)
    await kit.register(tenant, "a@example.com", "my second choice")
    second = kit.mailer.last_token("a@example.com")
    assert second != first
    # The link confirms with the password that travelled with it.
    await kit.confirm_email(second)
    assert (await kit.login(tenant, "a@example.com", "my second choice", None)).user
    with pytest.raises(TokenInvalid):
        await kit.confirm_email(first)


async def test_a_link_mailed_to_a_planted_account_cannot_set_the_planters_password() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.register(tenant, "victim@example.com", "attacker's choice")
    # The owner of the mailbox signs in by code: the planted password goes.
    await kit.sign_in_by_code(tenant, "victim@example.com")
    with pytest.raises(InvalidCredentials):
        await kit.login(tenant, "victim@example.com", "attacker's choice", None)
    with pytest.raises(TokenInvalid):
        await kit.confirm_email(kit.mailer.outbox[0].text.split("token=")[1].split()[0])


async def test_sign_up_mails_are_throttled_per_address() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.register(tenant, "a@example.com", PASSWORD)
    with pytest.raises(RateLimited) as caught:
        await kit.register(tenant, "a@example.com", PASSWORD)
    assert caught.value.retry_after == kit.policy.otp_resend_seconds
    assert len(kit.mailer.outbox) == 1


@pytest.mark.parametrize("password", ["short", "password1", "x" * 129])
async def test_weak_passwords_are_refused_before_anything_is_stored(password: str) -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    with pytest.raises(InvalidInput):
        await kit.register(tenant, "a@example.com", password)
    assert kit.mailer.outbox == [] and kit.hasher.hashes == 0


async def test_an_unknown_email_runs_the_hasher_and_fails_like_a_wrong_password() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.confirm_email(await _registered(kit, tenant))
    verifies = kit.hasher.verifies
    with pytest.raises(InvalidCredentials) as unknown:
        await kit.login(tenant, "nobody@example.com", PASSWORD, None)
    assert kit.hasher.verifies == verifies + 1
    with pytest.raises(InvalidCredentials) as wrong:
        await kit.login(tenant, "a@example.com", "not the password", None)
    assert kit.hasher.verifies == verifies + 2
    assert str(unknown.value) == str(wrong.value)


async def test_an_account_without_password_fails_like_a_wrong_password() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.sign_in_by_code(tenant, "a@example.com")
    with pytest.raises(InvalidCredentials):
        await kit.login(tenant, "a@example.com", PASSWORD, None)


async def test_repeated_failures_slow_the_email_down_then_success_resets() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.confirm_email(await _registered(kit, tenant))
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await kit.login(tenant, "a@example.com", "wrong guess", None)
    waits = []
    for _ in range(4):
        with pytest.raises(RateLimited) as caught:
            await kit.login(tenant, "a@example.com", PASSWORD, None)
        waits.append(caught.value.retry_after)
        kit.clock.advance(caught.value.retry_after)
        with pytest.raises(InvalidCredentials):
            await kit.login(tenant, "a@example.com", "wrong guess", None)
    assert waits == [1, 2, 4, 8]
    kit.clock.advance(16)
    assert (await kit.login(tenant, "a@example.com", PASSWORD, None)).user is not None
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await kit.login(tenant, "a@example.com", "wrong guess", None)


async def test_the_slow_down_never_locks_the_owner_out_for_good() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.confirm_email(await _registered(kit, tenant))
    for _ in range(40):
        try:
            await kit.login(tenant, "a@example.com", "wrong guess", None)
        except RateLimited as limited:
            assert limited.retry_after <= kit.policy.login_backoff_cap_seconds
            kit.clock.advance(limited.retry_after)
        except InvalidCredentials:
            pass
    kit.clock.advance(kit.policy.login_backoff_cap_seconds)
    assert (await kit.login(tenant, "a@example.com", PASSWORD, None)).user is not None


async def test_unknown_emails_are_slowed_down_alike() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await kit.login(tenant, "nobody@example.com", PASSWORD, None)
    with pytest.raises(RateLimited) as caught:
        await kit.login(tenant, "nobody@example.com", PASSWORD, None)
    assert caught.value.retry_after == 1


async def test_an_outdated_hash_is_replaced_at_login() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    user = await kit.confirm_email(await _registered(kit, tenant))
    kit.hasher.version = 2
    await kit.login(tenant, "a@example.com", PASSWORD, None)
    async with kit.uow() as tx:
        stored = await tx.users.get(tenant.id, user.id)
    assert stored is not None and stored.password_hash != user.password_hash
    assert not kit.hasher.needs_rehash(stored.password_hash or "")
    assert (await kit.login(tenant, "a@example.com", PASSWORD, None)).user is not None


async def test_a_password_typed_in_another_unicode_form_still_matches() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.register(tenant, "a@example.com", "caf\u00e9 au lait")
    await kit.confirm_email(kit.mailer.last_token("a@example.com"))
    assert (await kit.login(tenant, "a@example.com", "cafe\u0301 au lait", None)).user


async def test_a_tenant_without_passwords_refuses_sign_up_and_login() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant(auth_methods=("otp",))
    with pytest.raises(AuthMethodDisabled):
        await kit.register(tenant, "a@example.com", PASSWORD)
    with pytest.raises(AuthMethodDisabled):
        await kit.login(tenant, "a@example.com", PASSWORD, None)


async def test_accounts_are_per_tenant() -> None:
    kit = IdentityKit()
    acme, other = await kit.add_tenant("acme"), await kit.add_tenant("other")
    await kit.confirm_email(await _registered(kit, acme))
    with pytest.raises(InvalidCredentials):
        await kit.login(other, "a@example.com", PASSWORD, None)
