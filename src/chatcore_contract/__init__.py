"""Checks of the HTTP contract the README documents (its sections from "Tenants" to
"Usage and limits") against a running deployment.

Run them with the ``chatcore-contract`` command, or with pytest itself::

    pytest -p chatcore_contract.plugin --pyargs chatcore_contract \\
        --base-url https://api.example.com [--origin …] [--admin-token …] [--mailbox DIR]

A check that needs what was not given (a mailbox, the admin token, an allowed
origin) is skipped as "could not run", with the reason.
"""

try:
    import pytest
except ModuleNotFoundError:  # without the testing extra: only ``cli`` can run, to say so
    pass
else:
    # Before the helpers are imported, so a failing assert in them shows its values.
    pytest.register_assert_rewrite(
        "chatcore_contract._accounts",
        "chatcore_contract._mailbox",
        "chatcore_contract._support",
    )
