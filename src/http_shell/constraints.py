"""What request fields may hold, as msgspec constraints: msgspec checks them while it
decodes a body, and the OpenAPI document shows the same annotations, so the two
cannot drift. The numbers are the core's own limits; the core still checks every
rule (it is the only check for WebSocket frames and for what a schema cannot say)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

import msgspec

from chatcore.dialogs.model import MAX_MESSAGE, MAX_TITLE
from chatcore.documents.use_cases.search import MAX_K, MAX_QUERY
from chatcore.identity.api_keys import MAX_NAME as MAX_KEY_NAME
from chatcore.identity.model import MAX_EMAIL
from chatcore.identity.policy import IdentityPolicy
from chatcore.profile.model import (
    LOCALE_PATTERN,
    MAX_DISPLAY_NAME,
    MAX_LOCALE,
    MAX_NOTE,
    MAX_SAVED_TEXT,
)
from chatcore.tenants.model import MAX_NAME, MAX_SYSTEM_PROMPT, SLUG_PATTERN

_POLICY = IdentityPolicy()
# Text the database can store (Postgres text holds no NUL) with something besides
# whitespace in it, and line-free text without control characters.
_TEXT = r"^[^\x00]*[^\x00\s][^\x00]*$"
_LINE = r"^[^\x00-\x1f]*[^\x00-\x1f\s][^\x00-\x1f]*$"

Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=MAX_EMAIL,
        # A domain of letters, digits, hyphens and dots, as a mail server can have.
        pattern=r"^[^@\s]+@[^@\s!-,/:-@\[-`{-~]+$",
        extra_json_schema={"format": "email"},
    ),
]
NewPassword = Annotated[
    str,
    msgspec.Meta(
        min_length=_POLICY.password_min_chars,
        max_length=_POLICY.password_max_chars,
        description="Not one of the most common passwords.",
    ),
]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TITLE, pattern=_LINE)]
TenantName = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME, pattern=_LINE)]
Question = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_MESSAGE, pattern=_TEXT)]
SavedText = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_SAVED_TEXT, pattern=_TEXT)]
DisplayName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_DISPLAY_NAME,
        pattern=_LINE,
        description="Printable characters; spaces around them are trimmed.",
    ),
]
Locale = Annotated[str, msgspec.Meta(max_length=MAX_LOCALE, pattern=LOCALE_PATTERN)]
Note = Annotated[str, msgspec.Meta(max_length=MAX_NOTE, pattern=r"^[^\x00]*$")]
SearchQuery = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_QUERY, pattern=r"\S")]
SearchK = Annotated[int, msgspec.Meta(ge=1, le=MAX_K)]
SystemPrompt = Annotated[str, msgspec.Meta(max_length=MAX_SYSTEM_PROMPT)]
Count = Annotated[int, msgspec.Meta(ge=0)]
KeyName = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_KEY_NAME, pattern=_LINE)]
FutureTime = Annotated[
    datetime, msgspec.Meta(tz=True, description="A time still to come, with a UTC offset.")
]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=63, pattern=SLUG_PATTERN)]


# msgspec's words for a broken constraint, and the plainer ones a person reads.
_PLAIN_WORDS = (
    (re.compile(r"Expected `str` of length >= (\d+)"), "must be at least {} characters"),
    (re.compile(r"Expected `str` of length <= (\d+)"), "must be at most {} characters"),
    (re.compile(r"Expected `array` of length >= (\d+)"), "must have at least {} items"),
    (re.compile(r"Expected `array` of length <= (\d+)"), "must have at most {} items"),
    (re.compile(r"Expected `(?:int|float)` >= (-?[\d.]+)"), "must be at least {}"),
    (re.compile(r"Expected `(?:int|float)` <= (-?[\d.]+)"), "must be at most {}"),
    (re.compile(r"Expected `str` matching regex"), "is not in the expected form"),
    (re.compile(r"Object missing required field `"), "is required"),
    (re.compile(r"Object contains unknown field `"), "is not a field of this request"),
    (re.compile(r"Expected `(\w+)`, got `(\w+)`"), "has the wrong type: expected {}, got {}"),
)


def plain_message(message: str) -> str:
    """The message of a broken constraint in plain words; any other message unchanged."""
    for pattern, words in _PLAIN_WORDS:
        if found := pattern.match(message):
            return words.format(*found.groups())
    return message
