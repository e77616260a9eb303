"""A brand query's problem as the desk shows it: the text, a caret under the position, what
was expected. `otklik.query` owns the language; this only adapts its errors for display."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from otklik.query import parse


@dataclass(frozen=True, slots=True)
class QueryProblem:
    message: str
    position: int | None
    expected: list[str]
    text: str

    @property
    def before(self) -> str:
        return self.text[: self.position] if self.position is not None else self.text

    @property
    def after(self) -> str:
        return self.text[self.position :] if self.position is not None else ""


def problem_of(text: str) -> QueryProblem | None:
    """None when `text` parses; else what is wrong and where."""
    try:
        parse(text)
    except Exception as exc:  # the language's QuerySyntaxError (a ValueError) carries position
        if not isinstance(exc, ValueError):
            raise
        position = getattr(exc, "position", None)
        expected: Any = getattr(exc, "expected", None) or []
        if isinstance(expected, str):
            expected = [expected]
        return QueryProblem(str(exc), position if isinstance(position, int) else None,
                            [str(e) for e in expected], text)
    return None
