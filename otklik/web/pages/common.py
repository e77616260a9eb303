"""Small helpers the pages share: brand list, period parsing, query-string building, and how a
form's step runs: committed by `actions.unit.commit_step` (pages never commit), a refusal rolled
back and shown where the form was, a missing row a 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.brands import brand_by_id
from otklik.actions.send import SendRefused
from otklik.actions.unit import commit_step
from otklik.db.models import Brand, Channel
from otklik.domain.ids import MAX_ID
from otklik.web import casework
from otklik.web.deps import get_or_404
from otklik.web.render import lang_of
from otklik.wording.refusals import explain

PERIODS = (1, 7, 30, 90, 365)
Done = TypeVar("Done")
Row = TypeVar("Row")
Refusal = TypeVar("Refusal", bound=Exception)


def brands(session: Session) -> list[Brand]:
    return list(session.scalars(select(Brand).order_by(Brand.name)))


def brand_or_404(session: Session, brand_id: int) -> Brand:
    """The brand a form or link names by id, or a 404 ("no brand 7")."""
    return get_or_404(session, brand_by_id, brand_id)


def by_id(model: type[Row], what: str) -> Callable[[Session, int], Row]:
    """A getter for `deps.get_or_404`: the `model` row with that id, or "no such <what>"."""
    def get(session: Session, ident: int) -> Row:
        row = session.get(model, ident)
        if row is None:
            raise LookupError(f"no such {what}")
        return row
    return get


def opt_int(value: str | None, field: str) -> int | None:
    """An optional whole number from a form or query string ("" = not given), within the
    store's integer range (a larger one could not be bound: a 500, not a 422)."""
    if value is None or not value.strip():
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise HTTPException(422, f"{field}: not a number: {value[:40]!r}") from exc
    if abs(number) > MAX_ID:
        raise HTTPException(422, f"{field}: out of range: {value[:40]!r}")
    return number


def parse_when(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """An ISO date or time from a form; a bad one is a 422 naming the field.

    A bare date as the end of a range means the whole of that day (`until=2026-11-25` keeps
    mentions written on the 25th).
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise HTTPException(422, f"{field}: not an ISO date or time: {value[:40]!r}") from exc
    if end and len(value.strip()) == 10:
        parsed += timedelta(days=1)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class Period:
    since: datetime
    until: datetime
    days: int

    @property
    def bucket(self) -> str:
        return "hour" if (self.until - self.since) <= timedelta(days=2) else "day"


def period(days: int | None, since: str | None, until: str | None,
           now: datetime | None = None) -> Period:
    now = now or datetime.now(UTC)
    end = parse_when(until, "until", end=True) or now
    if since:
        start = parse_when(since, "since")
        assert start is not None
    else:
        n = days if days in PERIODS else 7
        start = end - timedelta(days=n)
    if start >= end:
        raise HTTPException(422, "since: must be before until")
    return Period(start, end, max(1, (end - start).days))


def qs(**params: object) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def back(url: str, error: Exception | None = None, lang: str = "ru") -> Response:
    """Back to the page a form was posted from, with the error (if any) to show on it in the
    reader's language."""
    if error is not None:
        url += ("&" if "?" in url else "?") + "error=" + quote(explain(error, lang)[:300])
    return RedirectResponse(url, status_code=303)


def step_or_404(session: Session, work: Callable[[], Done]) -> Done:
    """What a form's step returned, committed; a row it needs that is not there is a 404."""
    try:
        return commit_step(session, work)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


def answer_step(session: Session, work: Callable[[], Done], *,
                refusals: type[Refusal] | tuple[type[Refusal], ...],
                refused: Callable[[Refusal], Response],
                done: Callable[[Done], Response]) -> Response:
    """One step a form asks for, committed and answered by `done(what it returned)`; a refused
    step (one of `refusals`) is rolled back and answered by `refused(the error)`, the form with
    the reason; a row that is not there is a 404."""
    try:
        result = commit_step(session, work)
    except refusals as exc:  # before the 404: a form may name a missing row (a brand) itself
        return refused(exc)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    return done(result)


def source_factory(request: Request, session: Session) -> Callable[[Channel], Any]:
    """Channel → connector for sending: the app's own factory (a test's fake) or the registry's."""
    build = getattr(request.app.state, "source_factory", None) or casework.default_source_factory
    return build(request.app.state.settings, session)  # type: ignore[no-any-return]


def send_step(request: Request, session: Session, url: str,
              work: Callable[[Callable[[Channel], Any]], object]) -> Response:
    """A step that sends through the brand's channels: `work(connector factory)`, then back to
    `url` as `run_step` goes."""
    factory = source_factory(request, session)
    return run_step(session, url, lambda: work(factory), lang=lang_of(request))


def run_step(session: Session, url: str, work: Callable[[], object], *, lang: str) -> Response:
    """A step whose refusal (an illegal transition, a send that may not go) is a message on the
    page the form came from."""
    return answer_step(session, work, refusals=(ValueError, SendRefused),
                       refused=lambda exc: back(url, exc, lang), done=lambda _: back(url))
