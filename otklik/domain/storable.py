"""What PostgreSQL cannot store, found before it refuses it mid-write.

Its text and JSONB hold no NUL character and no NaN or Infinity; a value nested deeper than
MAX_DEPTH is refused too (a walk, or json.dumps on the way to the store, would overflow the
stack). Walked with an explicit stack, so hostile nesting cannot overflow this walk either.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 64  # a post's raw record is a few levels deep; thousands is an attack


def unstorable(value: Any) -> str | None:
    """What in `value` (strings, numbers, lists and mappings) the store cannot hold, or None."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "the NUL character (U+0000)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"the number {item!r}"
        elif isinstance(item, Mapping | list | tuple):
            if depth >= MAX_DEPTH:
                return f"values nested deeper than {MAX_DEPTH} levels"
            children = [*item.keys(), *item.values()] if isinstance(item, Mapping) else item
            stack.extend((child, depth + 1) for child in children)
    return None
