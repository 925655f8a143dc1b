"""Sessions: opening one behind every credential, resolving a token to its caller,
and ending sessions (logout, deletion)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from chatcore.erasure import OwnedDataEraser
from chatcore.errors import AuthMethodDisabled, NotAuthenticated, NotFound, TenantMismatch
from chatcore.identity.api_keys import looks_like_key
from chatcore.identity.model import Credential, Session, SessionId, User, clean_user_agent
from chatcore.identity.policy import IdentityPolicy
from chatcore.identity.ports import AccessClaims, TokenIssuer
from chatcore.identity.principal import Principal, PrincipalKind
from chatcore.identity.throttling import admit_guest
from chatcore.identity.use_cases.api_keys import AuthenticateApiKey
from chatcore.identity.use_cases.erasure import erase_principal
from chatcore.kernel import Clock, IdFactory, TenantId
from chatcore.tenants.model import Tenant
from chatcore.unit_of_work import UnitOfWork, UnitOfWorkFactory


class SessionStarter:
    """Opens the session row behind a new credential and signs its token; shared by
    every way of signing in."""

    def __init__(
        self,
        clock: Clock,
        ids: IdFactory,
        issuer: TokenIssuer,
        policy: IdentityPolicy,
        erasers: Sequence[OwnedDataEraser] = (),
    ) -> None:
        self._clock, self._ids, self._issuer = clock, ids, issuer
        self._policy, self._erasers = policy, tuple(erasers)

    async def open(
        self,
        uow: UnitOfWork,
        tenant_id: TenantId,
        user: User | None,
        user_agent: str | None,
        replacing: Principal | None = None,
    ) -> Session:
        """A new session inside ``uow`` for ``user`` (None: anonymous). The session the
        caller came with, if any, ends: a sign-in never keeps an old session id."""
        if replacing is not None and replacing.tenant_id == tenant_id:
            await end_session(uow, replacing, self._erasers)
        now = self._clock.now()
        session_id = SessionId(self._ids.new_id())
        kind: PrincipalKind = "anonymous" if user is None else "user"
        session = Session(
            id=session_id,
            tenant_id=tenant_id,
            principal_id=session_id if user is None else user.id,
            kind=kind,
            created_at=now,
            expires_at=now + self._policy.session_ttl,
            last_seen_at=now,
            user_agent=clean_user_agent(user_agent),
        )
        await uow.sessions.add(tenant_id, session)
        return session

    def credential(self, session: Session, user: User | None) -> Credential:
        """The bearer credential of a committed session."""
        claims = AccessClaims(
            session_id=session.id,
            subject=session.principal_id,
            tenant_id=session.tenant_id,
            issued_at=session.created_at,
            expires_at=session.expires_at,
        )
        return Credential(
            access_token=self._issuer.issue(claims),
            expires_in=int((session.expires_at - session.created_at).total_seconds()),
            session=session,
            user=user,
        )


async def end_session(
    uow: UnitOfWork, principal: Principal, erasers: Sequence[OwnedDataEraser]
) -> None:
    """Revoke the principal's session inside ``uow``. An anonymous principal is its
    session, so its data goes too: nothing could ever reach it again."""
    if principal.kind == "anonymous":
        await erase_principal(uow, principal.tenant_id, principal.id, erasers)
    else:
        await uow.sessions.delete(principal.tenant_id, SessionId(principal.session_id))


class CreateAnonymousSession:
    """Start a session without an email, where the tenant allows it; each client
    address may start ``anonymous_sessions_per_hour`` of them."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        starter: SessionStarter,
        clock: Clock,
        policy: IdentityPolicy,
    ) -> None:
        self._uow, self._starter, self._clock, self._policy = uow, starter, clock, policy

    async def __call__(
        self, tenant: Tenant, user_agent: str | None, address: str | None = None
    ) -> Credential:
        """A credential for a new anonymous principal; raises AuthMethodDisabled, or
        RateLimited when ``address`` (the client's; None for a caller inside this
        process, which is not counted) has started too many."""
        if not tenant.settings.allows("anonymous"):
            raise AuthMethodDisabled("This tenant does not allow anonymous sessions.")
        async with self._uow() as uow:
            if address is not None:
                await admit_guest(uow, tenant.id, address, self._clock.now(), self._policy)
            session = await self._starter.open(uow, tenant.id, None, user_agent)
            await uow.commit()
        return self._starter.credential(session, None)


class ResolvePrincipal:
    """Turn an access token, or an API key (with ``api_keys``), into the caller, on
    every authenticated request."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        issuer: TokenIssuer,
        clock: Clock,
        policy: IdentityPolicy,
        api_keys: AuthenticateApiKey | None = None,
    ) -> None:
        self._uow, self._issuer, self._clock, self._policy = uow, issuer, clock, policy
        self._api_keys = api_keys

    async def __call__(self, token: str, request_tenant_id: TenantId | None) -> Principal:
        """The principal of a live session or key; raises NotAuthenticated, or
        TenantMismatch when the request names a tenant other than the credential's."""
        if self._api_keys is not None and looks_like_key(token):
            return await self._api_keys(token, request_tenant_id)
        claims = self._issuer.verify(token)
        tenant_id = TenantId(claims.tenant_id)
        async with self._uow(read_only=True) as uow:
            session = await uow.sessions.get(tenant_id, SessionId(claims.session_id))
        now = self._clock.now()
        if session is None or session.principal_id != claims.subject or not session.is_live(now):
            raise NotAuthenticated("The session has ended.")
        if request_tenant_id is not None and request_tenant_id != tenant_id:
            raise TenantMismatch("This credential belongs to another tenant.")
        if (now - session.last_seen_at).total_seconds() >= self._policy.session_touch_seconds:
            async with self._uow() as uow:
                await uow.sessions.touch(tenant_id, session.id, now)
                await uow.commit()
        return session.principal()


class Logout:
    """End the caller's session (an anonymous caller's data goes with it)."""

    def __init__(self, uow: UnitOfWorkFactory, erasers: Sequence[OwnedDataEraser] = ()) -> None:
        self._uow, self._erasers = uow, tuple(erasers)

    async def __call__(self, principal: Principal) -> None:
        """Revoke the session at once."""
        async with self._uow() as uow:
            await end_session(uow, principal, self._erasers)
            await uow.commit()


class DeleteSession:
    """Delete one of the caller's own sessions; for an anonymous caller, itself."""

    def __init__(self, uow: UnitOfWorkFactory, erasers: Sequence[OwnedDataEraser] = ()) -> None:
        self._uow, self._erasers = uow, tuple(erasers)

    async def __call__(self, principal: Principal, session_id: uuid.UUID) -> None:
        """Revoke it (hard-deleting an anonymous principal's data); raises NotFound
        for a session that is not the caller's."""
        async with self._uow() as uow:
            session = await uow.sessions.get(principal.tenant_id, SessionId(session_id))
            if session is None or session.principal_id != principal.id:
                raise NotFound("No such session.")
            if principal.kind == "anonymous":
                await erase_principal(uow, principal.tenant_id, principal.id, self._erasers)
            else:
                await uow.sessions.delete(principal.tenant_id, session.id)
            await uow.commit()
