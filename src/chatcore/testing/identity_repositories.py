"""The identity repositories contract, and identity's use cases under concurrency."""

from __future__ import annotations

from chatcore.testing.identity_accounts import IdentityAccountsContract
from chatcore.testing.identity_expiry import IdentityExpiryContract
from chatcore.testing.identity_isolation import IdentityIsolationContract
from chatcore.testing.identity_races import IdentityRacesContract
from chatcore.testing.identity_sign_in import IdentitySignInContract


class IdentityRepositoriesContract(
    IdentityAccountsContract,
    IdentitySignInContract,
    IdentityIsolationContract,
    IdentityRacesContract,
    IdentityExpiryContract,
):
    """What every identity repository does (users, sessions, OTP challenges, email
    confirmations, throttles): tenant isolation, rollback, exact counting when
    sign-ins race, and purging what has expired.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """
