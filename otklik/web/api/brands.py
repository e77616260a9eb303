"""Brands and their queries."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from otklik.actions.brands import BrandError, brand_by_id, register_brand, register_query
from otklik.db.models import Brand, BrandQuery
from otklik.domain.ids import StoreId
from otklik.web.api.common import check_query
from otklik.web.api.schemas import BrandIn, BrandOut, QueryIn, QueryOut
from otklik.web.deps import Admin, Analyst, Reader, SessionDep, get_or_404

router = APIRouter(prefix="/api/v1/brands", tags=["brands"])


@router.get("", response_model=list[BrandOut])
def list_brands(_: Reader, session: SessionDep) -> list[Brand]:
    return list(session.scalars(select(Brand).order_by(Brand.id)))


@router.get("/{brand_id}", response_model=BrandOut)
def get_one(brand_id: StoreId, _: Reader, session: SessionDep) -> Brand:
    return get_or_404(session, brand_by_id, brand_id)


@router.post("", response_model=BrandOut, status_code=201)
def create(body: BrandIn, principal: Admin, session: SessionDep) -> Brand:
    for i, text in enumerate(body.queries):
        check_query(text, ("body", "queries", i))
    try:
        return register_brand(session, body.name, slug=body.slug, queries=body.queries,
                              actor=principal.actor)
    except BrandError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.get("/{brand_id}/queries", response_model=list[QueryOut])
def list_queries(brand_id: StoreId, _: Reader, session: SessionDep) -> list[BrandQuery]:
    return list(get_or_404(session, brand_by_id, brand_id).queries)


@router.post("/{brand_id}/queries", response_model=QueryOut, status_code=201)
def create_query(brand_id: StoreId, body: QueryIn, principal: Analyst,
                 session: SessionDep) -> BrandQuery:
    brand = get_or_404(session, brand_by_id, brand_id)
    check_query(body.text, ("body", "text"))
    return register_query(session, brand, body.text, name=body.name, actor=principal.actor)
