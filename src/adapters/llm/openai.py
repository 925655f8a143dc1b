"""The ChatModel on the official ``openai`` SDK: OpenAI, DeepSeek and any compatible server.

The SDK supplies authentication, the base URL, retries of the request (which all
happen before the first delta) and its error classes. The body goes out and the
stream comes back raw, through the SDK's documented ``post(..., cast_to=Response)``
escape hatch, encoded and decoded by ``adapters.llm.wire``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from contextlib import aclosing

import httpx2
import openai

from adapters.llm.wire import ChatStreamParser, StreamFailed, request_body
from chatcore.dialogs.ports import Completion, ModelError, ModelEvent, ModelRequest, TextDelta
from chatcore.dialogs.tokens import estimate_tokens

_log = logging.getLogger("chatcore.llm")

DEEPSEEK_BASE_URL = "https://api.deepseek.com"

# What a client is told; the provider's own words go to the log only.
_DETAILS = {
    "llm_auth_failed": "The language model provider rejected the configured credentials.",
    "llm_rate_limited": "The language model provider is rate limiting requests; try again shortly.",
    "llm_unavailable": "The language model provider is unavailable; try again later.",
}

# httpcore scans every connection of its pool on each request and release, which
# grows quadratic with concurrency; pools of this size keep the scan cheap.
_CONNECTIONS_PER_POOL = 64

# Everything the SDK or its HTTP layer raises when the call or the stream fails.
_CALL_FAILURES = (openai.OpenAIError, httpx2.HTTPError, httpx2.StreamError, StreamFailed)


class OpenAIChatModel:
    """Streams replies from an OpenAI-compatible chat-completions endpoint."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str = "gpt-4o-mini",
        base_url: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        max_retries: int = 2,
        max_connections: int = 2000,
    ) -> None:
        # The SDK's single default pool holds 1,000 connections, so the 1,001st
        # concurrent stream would wait; here the caller sizes the whole.
        pools = max(1, math.ceil(max_connections / _CONNECTIONS_PER_POOL))
        per_pool = math.ceil(max_connections / pools)
        limits = httpx2.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
        # ``timeout`` also bounds each wait for the next bytes, so a stalled stream fails.
        timeouts = httpx2.Timeout(timeout, connect=min(connect_timeout, timeout))
        tls = httpx2.create_ssl_context()  # loading the CA bundle once, not once per pool
        self._model = model
        self._clients = [
            openai.AsyncOpenAI(
                api_key=api_key,
                base_url=base_url,
                timeout=timeouts,
                max_retries=max_retries,
                http_client=openai.DefaultAsyncHttpxClient(
                    limits=limits, timeout=timeouts, verify=tls
                ),
            )
            for _ in range(pools)
        ]
        self._load = [0] * pools  # streams in flight on each pool

    @classmethod
    def for_deepseek(
        cls,
        *,
        api_key: str,
        model: str = "deepseek-chat",
        timeout: float = 60.0,
        max_retries: int = 2,
        max_connections: int = 2000,
    ) -> OpenAIChatModel:
        """The same adapter on DeepSeek's OpenAI-compatible API."""
        return cls(
            api_key=api_key,
            model=model,
            base_url=DEEPSEEK_BASE_URL,
            timeout=timeout,
            max_retries=max_retries,
            max_connections=max_connections,
        )

    @property
    def base_url(self) -> str:
        """Where the requests go."""
        return str(self._clients[0].base_url)

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        """Text deltas, then one Completion; raises ModelError (llm_auth_failed,
        llm_rate_limited or llm_unavailable). Passages are already in the turns."""
        model = request.model or self._model
        pool = self._load.index(min(self._load))  # the least busy
        self._load[pool] += 1
        parser = ChatStreamParser()
        try:
            response = await self._clients[pool].post(
                "/chat/completions",
                cast_to=httpx2.Response,
                content=request_body(request, model),
                stream=True,
            )
            # Leaving early (the consumer's aclose()) closes the response at once,
            # so the provider sees the disconnect and stops generating.
            async with aclosing(response.aiter_bytes()) as body:
                try:
                    async for data in body:
                        for text in parser.feed(data):
                            yield TextDelta(text)
                    for text in parser.end():
                        yield TextDelta(text)
                finally:
                    await response.aclose()
        except _CALL_FAILURES as exc:
            raise _model_error(exc, model) from exc
        finally:
            self._load[pool] -= 1
        if parser.finish_reason is None:
            _log.warning("model %s: the stream ended before a finish reason", model)
            raise ModelError("llm_unavailable", _DETAILS["llm_unavailable"])
        yield _completion(parser, request, model)

    async def close(self) -> None:
        """Close the HTTP connection pools."""
        for client in self._clients:
            await client.close()


def _completion(parser: ChatStreamParser, request: ModelRequest, model: str) -> Completion:
    usage = parser.usage
    if usage is None:  # a provider that ignores stream_options: estimate instead
        prompt = sum(estimate_tokens(turn.content) for turn in request.turns)
        reply = estimate_tokens("".join(parser.texts))
    else:
        prompt, reply = usage.prompt_tokens, usage.completion_tokens
    return Completion(
        finish_reason="length" if parser.finish_reason == "length" else "stop",
        prompt_tokens=prompt,
        completion_tokens=reply,
        model=parser.model or model,
    )


def _model_error(exc: Exception, model: str) -> ModelError:
    """The ModelError for a failed call, its cause logged (never the API key)."""
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        code = (
            "llm_auth_failed"
            if status in (401, 403)
            else "llm_rate_limited"
            if status == 429
            else "llm_unavailable"
        )
        _log.warning("model %s: provider answered %s: %s", model, status, exc.message)
    else:
        code = "llm_unavailable"
        _log.warning("model %s: call failed: %s: %s", model, type(exc).__name__, exc)
    return ModelError(code, _DETAILS[code])
