"""Personal-data requests, the pure part: how an author is named, their pseudonym, and how the
copies of their identifying values (in raw payloads, analytics, alerts) are replaced.

A forgotten author keeps their store row (otklik deletes nothing), but every identifying value
is replaced by a pseudonym derived from the network key with the installation's secret key:
without that key nothing links the row back to the account, and with it a later request about
the same account still finds the row.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "forgotten-"
ERASED_TEXT = "[стёрто по просьбе автора · erased at the author's request]"
MAX_STORE_ID = 2**63 - 1
# a number in a raw payload is taken for the author's id only when the id is this long: short
# ids ("7") would also match counts and flags
MIN_NUMERIC_ID = 5


@dataclass(frozen=True, slots=True)
class AuthorName:
    """How a person names an author: the store id, or the network and the network's id."""

    store_id: int | None = None
    network: str | None = None
    external_id: str | None = None


def parse_author(text: str) -> AuthorName:
    """`42` (store id) or `vk:12345` (network:external id; the id may hold more colons)."""
    value = text.strip()
    if value.isascii() and value.isdigit():
        number = int(value)
        if not 0 < number <= MAX_STORE_ID:
            raise ValueError(f"author {text!r}: a store id is between 1 and {MAX_STORE_ID}")
        return AuthorName(store_id=number)
    network, colon, external_id = value.partition(":")
    if not colon or not network or not external_id or not network.isidentifier():
        raise ValueError(f"author {text!r}: name an author as NETWORK:ID (e.g. vk:12345) "
                         "or by its store id (e.g. 42)")
    return AuthorName(network=network.lower(), external_id=external_id)


def pseudonym(secret_key: str, network: str, external_id: str) -> str:
    """The same account always gets the same pseudonym under one secret key."""
    digest = hmac.new(secret_key.encode(), f"person:{network}:{external_id}".encode(),
                      hashlib.sha256).hexdigest()
    return PREFIX + digest[:16]


def is_pseudonym(value: str | None) -> bool:
    return bool(value) and str(value).startswith(PREFIX)


def scrub(value: Any, replace: Mapping[str, str]) -> Any:
    """`value` (JSON) with every string equal to a key of `replace` (and every integer equal to
    a long numeric key) replaced by its pseudonym; free text inside is left as it is."""
    if isinstance(value, dict):
        return {k: scrub(v, replace) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, replace) for v in value]
    if isinstance(value, str):
        return replace.get(value, value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        if len(text) >= MIN_NUMERIC_ID and text in replace:
            return replace[text]
    return value


def mentions_any(value: Any, values: Mapping[str, str]) -> bool:
    """Whether `value` (JSON) holds one of `values` as a whole string (what `scrub` replaces)."""
    return scrub(value, values) != value


def replace_words(text: str, replace: Mapping[str, str]) -> str:
    """Free text or a composite id (an alert's line, a group's title, `dm:7:12345`, `12345_67`)
    with each value replaced where no letter or digit touches it, so `olga` leaves `olgashop`."""
    for old in sorted(replace, key=len, reverse=True):
        literal = replace[old].replace("\\", "\\\\")  # a replacement, not a template
        text = re.sub(rf"(?<![^\W_]){re.escape(old)}(?![^\W_])", literal, text)
    return text
