"""Counts for `otklik stats` and the overview: what the store holds, by network and sentiment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.db.models import Author, Brand, Case, Mention, MentionBrand, Place


def store_stats(session: Session) -> dict[str, Any]:
    """One query per figure; cheap enough to run on a store of millions (indexes cover them)."""
    by_network = dict(
        session.execute(select(Mention.network, func.count()).group_by(Mention.network)).all()
    )
    by_sentiment = dict(
        session.execute(select(Mention.sentiment, func.count()).group_by(Mention.sentiment)).all()
    )
    by_brand = dict(
        session.execute(
            select(Brand.slug, func.count(MentionBrand.mention_id))
            .join(MentionBrand, MentionBrand.brand_id == Brand.id, isouter=True)
            .group_by(Brand.slug)
        ).all()
    )
    first, last = session.execute(
        select(func.min(Mention.created_at), func.max(Mention.created_at))
    ).one()
    return {
        "mentions": sum(by_network.values()),
        "by_network": by_network,
        "by_sentiment": {str(k or "unknown"): v for k, v in by_sentiment.items()},
        "by_brand": by_brand,
        "authors": session.scalar(select(func.count()).select_from(Author)),
        "places": session.scalar(select(func.count()).select_from(Place)),
        "cases_open": session.scalar(
            select(func.count()).select_from(Case).where(Case.state != "closed")
        ),
        "removed_at_source": session.scalar(
            select(func.count()).select_from(Mention).where(Mention.removed_at_source.is_not(None))
        ),
        "first": first.isoformat() if first else None,
        "last": last.isoformat() if last else None,
    }
