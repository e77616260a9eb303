"""Ids as the web takes them: whole numbers within the store's integer range.

A path or query id beyond a signed 64-bit integer cannot be bound by SQLite (OverflowError, a
500); refusing it at validation gives a 422 naming the parameter instead. Every id parameter of
the API and the pages uses `StoreId`; ids read by hand from strings use `parse_id`.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

MAX_ID = 2**63 - 1  # the widest integer column of both stores (BIGINT / SQLite INTEGER)

StoreId = Annotated[int, Interval(ge=1, le=MAX_ID)]


def parse_id(text: str) -> int | None:
    """The id an ASCII digit string names, or None: '¹' passes str.isdigit() but not int()."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None

# a position in the id sequence (`after_id=0`: from the first one on)
IdPosition = Annotated[int, Interval(ge=0, le=MAX_ID)]
