"""The dependencies routes declare, as annotated types (the FastAPI full-stack template's
`SessionDep` / `CurrentUser` style), and the one way a route turns "no such row" into a 404.

A route writes `session: SessionDep, who: Reader` instead of repeating `Depends(db)` and
`Depends(Require("read"))`; the role test still finds the permission on every route, because
each alias is a `Require` dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException
from sqlalchemy.orm import Session

from otklik.web.auth import Principal, Require, db

SessionDep = Annotated[Session, Depends(db)]
Reader = Annotated[Principal, Depends(Require("read"))]
Analyst = Annotated[Principal, Depends(Require("analyze"))]
Responder = Annotated[Principal, Depends(Require("respond"))]
Ingester = Annotated[Principal, Depends(Require("ingest"))]
Admin = Annotated[Principal, Depends(Require("admin"))]

Row = TypeVar("Row")


def get_or_404(session: Session, getter: Callable[[Session, int], Row], ident: int) -> Row:
    """The row `getter` finds, or a 404 with the getter's own words (it raises LookupError)."""
    try:
        return getter(session, ident)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
