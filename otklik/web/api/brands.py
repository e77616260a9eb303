"""Brands and their queries."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.brands import BrandError, add_query, create_brand, get_brand
from otklik.db.models import Brand, BrandQuery
from otklik.domain.ids import StoreId
from otklik.web.api.common import invalid
from otklik.web.api.schemas import BrandIn, BrandOut, QueryIn, QueryOut
from otklik.web.auth import Principal, Require, db
from otklik.web.query_problems import problem_of

router = APIRouter(prefix="/api/v1/brands", tags=["brands"])


@router.get("", response_model=list[BrandOut])
def list_brands(
    _: Principal = Depends(Require("read")), session: Session = Depends(db)
) -> list[Brand]:
    return list(session.scalars(select(Brand).order_by(Brand.id)))


def _brand(session: Session, brand_id: int) -> Brand:
    try:
        return get_brand(session, brand_id)
    except BrandError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/{brand_id}", response_model=BrandOut)
def get_one(
    brand_id: StoreId, _: Principal = Depends(Require("read")), session: Session = Depends(db)
) -> Brand:
    return _brand(session, brand_id)


@router.post("", response_model=BrandOut, status_code=201)
def create(
    body: BrandIn, principal: Principal = Depends(Require("admin")),
    session: Session = Depends(db),
) -> Brand:
    for i, text in enumerate(body.queries):
        problem = problem_of(text)
        if problem is not None:
            raise invalid(("body", "queries", i), problem.message, "query_syntax")
    try:
        brand = create_brand(session, body.name, slug=body.slug, queries=body.queries,
                             actor=principal.actor)
    except BrandError as exc:
        raise HTTPException(409, str(exc)) from exc
    session.commit()
    return brand


@router.get("/{brand_id}/queries", response_model=list[QueryOut])
def list_queries(
    brand_id: StoreId, _: Principal = Depends(Require("read")), session: Session = Depends(db)
) -> list[BrandQuery]:
    return list(_brand(session, brand_id).queries)


@router.post("/{brand_id}/queries", response_model=QueryOut, status_code=201)
def create_query(
    brand_id: StoreId, body: QueryIn, principal: Principal = Depends(Require("analyze")),
    session: Session = Depends(db),
) -> BrandQuery:
    brand = _brand(session, brand_id)
    problem = problem_of(body.text)
    if problem is not None:
        raise invalid(("body", "text"), problem.message, "query_syntax")
    query = add_query(session, brand, body.text, name=body.name, actor=principal.actor)
    session.commit()
    return query
