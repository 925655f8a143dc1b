"""Usage: the caller's figures for the month, and that a chat counts."""

from __future__ import annotations

import httpx

from chatcore_contract._accounts import Principal
from chatcore_contract._support import chat_over_sse, expect, expect_fields

USAGE_FIELDS = {
    "period_start",
    "period_end",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "quota_tokens",
    "remaining_tokens",
    "rate_limit_per_minute",
    "requests_this_minute",
}


def test_usage_grows_with_a_chat(api: httpx.Client, principal: Principal) -> None:
    """GET /v1/usage has the contract's figures; a chat adds tokens and a request."""
    before = expect(api.get("/v1/usage", headers=principal.headers), 200)
    expect_fields(before, USAGE_FIELDS, "/v1/usage")
    assert before["total_tokens"] == before["prompt_tokens"] + before["completion_tokens"]
    chat_over_sse(api, principal.token, "Contract check: say hello.", use_documents=False)
    after = expect(api.get("/v1/usage", headers=principal.headers), 200)
    assert after["total_tokens"] > before["total_tokens"], (before, after)
    assert after["requests_this_minute"] > before["requests_this_minute"], (before, after)
    if after["quota_tokens"] is not None:
        assert after["remaining_tokens"] <= after["quota_tokens"] - after["total_tokens"], after
