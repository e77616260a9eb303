"""Helpers the API routes share: 422 errors with field paths, cursors, mention output."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError

from otklik.db.models import Mention
from otklik.web.api.schemas import MentionOut, decode_cursor
from otklik.web.query_problems import problem_of


def invalid(loc: tuple[str | int, ...], message: str, kind: str = "value_error") -> Any:
    """A 422 shaped like FastAPI's own validation errors, naming where the input was wrong."""
    return RequestValidationError([{"loc": loc, "msg": message, "type": kind}])


def check_query(text: str, loc: tuple[str | int, ...]) -> None:
    """A brand query that does not parse is a 422 at `loc` naming the position."""
    problem = problem_of(text)
    if problem is not None:
        raise invalid(loc, problem.message, "query_syntax")


def cursor_id(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor)
    except ValueError as exc:
        raise invalid(("query", "cursor"), str(exc)) from exc


def mention_out(m: Mention) -> MentionOut:
    out = MentionOut.model_validate(m)
    out.brand_ids = sorted(b.brand_id for b in m.brands)
    return out
