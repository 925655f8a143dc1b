"""Ask chatcore one question and stream the answer to the terminal.

    python examples/cli_chat.py "What can you do?"

The whole system runs in this process, configured like the server (environment
variables or ``.env``: ``CHATCORE_DATABASE_URL``, ``CHATCORE_LLM_PROVIDER`` ...).
Without a configured model, the offline one answers.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from chatcore import ChatcoreError, ChatRequest, Delta, Done, Error, Usage
from http_shell.container import chatcore_system
from http_shell.settings import load_settings


async def ask(question: str) -> int:
    """Stream the answer to ``question``; the exit status."""
    settings = load_settings()
    async with chatcore_system(settings) as system:
        tenant = await system.find_tenant()(settings.default_tenant)
        credential = await system.create_anonymous_session()(tenant, "cli-chat/1.0")
        principal = await system.resolve_principal()(credential.access_token, None)
        request = ChatRequest(message=question)
        cost = 0
        async for event in await system.chat_service().start(principal, tenant, request):
            if isinstance(event, Delta):
                print(event.text, end="", flush=True)
            elif isinstance(event, Usage):
                cost = event.prompt_tokens + event.completion_tokens
            elif isinstance(event, Error):
                print(f"\nerror: {event.detail}", file=sys.stderr)
                return 1
            elif isinstance(event, Done):
                print()
                print(f"[{event.finish_reason}, {cost} tokens]", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question", nargs="+", help="what to ask")
    question = " ".join(parser.parse_args().question)
    try:
        return asyncio.run(ask(question))
    except ChatcoreError as error:  # refused: rate limit, quota, tenant settings ...
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
