"""Finding a brand by slug or id: a read the writers (actions, reports) and the edges share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.db.models import Brand


class BrandError(ValueError):
    """A brand cannot be found, created or changed as asked."""


def get_brand(session: Session, slug_or_id: str | int) -> Brand:
    if isinstance(slug_or_id, int) or str(slug_or_id).isdigit():
        brand = session.get(Brand, int(slug_or_id))
    else:
        brand = session.scalar(select(Brand).where(Brand.slug == slug_or_id))
    if brand is None:
        raise BrandError(f"no brand {slug_or_id!r}")
    return brand
