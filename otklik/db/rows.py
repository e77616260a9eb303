"""A row by its id, or LookupError naming what is missing: what every getter above the store
says (a 404 to the web, exit 2 to the CLI)."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from otklik.db.base import Base

Row = TypeVar("Row", bound=Base)


def get_row(session: Session, model: type[Row], row_id: int, what: str) -> Row:
    row = session.get(model, row_id)
    if row is None:
        raise LookupError(f"no {what} {row_id}")
    return row
