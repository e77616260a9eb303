"""Brands and their queries: created and changed only here."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.db.brands import BrandError as BrandError  # raised here, found there: one name
from otklik.db.brands import get_brand as get_brand  # what actions' callers look brands up with
from otklik.db.models import Brand, BrandQuery
from otklik.db.rows import get_row
from otklik.query import parse


def slugify(name: str) -> str:
    slug = re.sub(r"[^\w]+", "-", name.lower(), flags=re.UNICODE).strip("-")
    return slug[:64] or "brand"


def create_brand(
    session: Session,
    name: str,
    *,
    slug: str | None = None,
    queries: list[str] | None = None,
    languages: list[str] | None = None,
    actor: str = "system",
    **settings: object,
) -> Brand:
    """A new brand with its queries (each validated by the query language when it is there)."""
    slug = slug or slugify(name)
    if session.scalar(select(Brand.id).where(Brand.slug == slug)) is not None:
        raise BrandError(f"a brand with slug {slug!r} exists already")
    brand = Brand(name=name, slug=slug, languages=languages or ["ru", "en"], **settings)
    session.add(brand)
    session.flush()
    for text in queries or []:
        add_query(session, brand, text, actor=actor)
    record(session, actor, "brand.create", "brand", brand.id, name=name, slug=slug)
    return brand


def add_query(session: Session, brand: Brand, text: str, *, name: str = "",
              actor: str = "system") -> BrandQuery:
    validate_query(text)
    query = BrandQuery(brand_id=brand.id, text=text, name=name or text[:200])
    session.add(query)
    session.flush()
    record(session, actor, "query.create", "query", query.id, brand_id=brand.id, text=text)
    return query


def register_brand(session: Session, name: str, *, slug: str | None, queries: list[str],
                   actor: str) -> Brand:
    """A brand a person asked for (`create_brand`), committed."""
    brand = create_brand(session, name, slug=slug, queries=queries, actor=actor)
    session.commit()
    return brand


def register_query(session: Session, brand: Brand, text: str, *, name: str,
                   actor: str) -> BrandQuery:
    """A query a person added to a brand (`add_query`), committed."""
    query = add_query(session, brand, text, name=name, actor=actor)
    session.commit()
    return query


def validate_query(text: str) -> None:
    """Raise the query language's own error (with its position) for a bad query."""
    parse(text)


def brand_by_id(session: Session, brand_id: int) -> Brand:
    """The brand, or LookupError (a 404 to the web, exit 2 to the CLI)."""
    return get_row(session, Brand, brand_id, "brand")
