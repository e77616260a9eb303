"""Personal-data requests (GDPR art. 15, 152-FZ art. 14): everything the store holds about one
author, as plain JSON-ready data. Answering is itself recorded in the audit log (who looked)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.persons import analytics_about, chunks, find_author, footprint
from otklik.db.models import (
    Action,
    AuditEvent,
    Case,
    CaseMention,
    Mention,
    MentionBrand,
    MentionVersion,
    SentimentCorrection,
)
from otklik.domain.persons import is_pseudonym


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _fields(row: Any, names: str) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in names.split()}


def export_person(session: Session, name: str, *, secret_key: str, actor: str) -> dict[str, Any]:
    """The author named `name` (`42` or `vk:12345`) and every row about them; audited."""
    author = find_author(session, name, secret_key)
    found = footprint(session, author)
    mention_ids = [m.id for m in found.mentions]
    private = {m.id for m in found.private}
    versions: dict[int, list[MentionVersion]] = {}
    brands: dict[int, list[MentionBrand]] = {}
    fixes: dict[int, list[SentimentCorrection]] = {}
    for ids in chunks(mention_ids):
        for v in session.scalars(select(MentionVersion).where(MentionVersion.mention_id.in_(ids))
                                 .order_by(MentionVersion.id)):
            versions.setdefault(v.mention_id, []).append(v)
        for b in session.scalars(select(MentionBrand).where(MentionBrand.mention_id.in_(ids))):
            brands.setdefault(b.mention_id, []).append(b)
        for f in session.scalars(select(SentimentCorrection).where(
                SentimentCorrection.mention_id.in_(ids)).order_by(SentimentCorrection.id)):
            fixes.setdefault(f.mention_id, []).append(f)
    about = analytics_about(session, author)
    out = {
        "request": {"author": name.strip(), "exported_at": datetime.now(UTC).isoformat(),
                    "by": actor},
        "author": {**_fields(author, "id network external_id handle name followers created_at "
                                     "url first_seen_at"),
                   "forgotten": is_pseudonym(author.external_id)},
        "mentions": [_mention(m, m.id in private, versions.get(m.id, []), brands.get(m.id, []),
                              fixes.get(m.id, [])) for m in found.mentions],
        "cases": [_case(session, c, [a for a in found.actions if a.case_id == c.id])
                  for c in found.cases],
        "sandbox_messages": [_fields(s, "id network external_id kind from_brand "
                                        "author_external_id author_name thread_external_id "
                                        "text created_at") for s in found.sandbox],
        "communities": [_fields(c, "id brand_id kind key name stance updated_at")
                        for c in about["communities"]],
        "attacks": [_fields(a, "id brand_id start end status summary") for a in about["attacks"]],
        "spikes": [_fields(s, "id brand_id series start end volume") for s in about["spikes"]],
        "alerts": [{**_fields(a, "id kind state created_at sent_at"),
                    "summary": (a.event or {}).get("summary")} for a in about["alerts"]],
        "audit_events": _audit(session, author.id, mention_ids, [c.id for c in found.cases],
                               [a.id for a in found.actions]),
    }
    record(session, actor, "person.export", "author", author.id, mentions=len(found.mentions),
           cases=len(found.cases))
    session.commit()
    return out


def _mention(m: Mention, private: bool, versions: list[MentionVersion],
             brands: list[MentionBrand], fixes: list[SentimentCorrection]) -> dict[str, Any]:
    place = _fields(m.place, "id network external_id name kind url") if m.place else None
    return {
        **_fields(m, "id network external_id url text created_at edited_at ingested_at "
                     "parent_external_id thread_external_id lat lon hashtags user_mentions "
                     "reach engagement lang sentiment sentiment_score customer_name "
                     "removed_at_source raw"),
        "private": private, "place": place,
        "versions": [_fields(v, "text seen_at") for v in versions],
        "brands": [_fields(b, "brand_id sentiment") for b in brands],
        "sentiment_corrections": [_fields(f, "brand_id old_label label created_at")
                                  for f in fixes],
    }


def _case(session: Session, case: Case, actions: list[Action]) -> dict[str, Any]:
    held = session.scalars(select(CaseMention).where(CaseMention.case_id == case.id))
    return {
        **_fields(case, "id brand_id state network customer_name lang tags notes outcome "
                        "created_at resolved_at closed_at removed_at_source"),
        "mentions": [{"mention_id": cm.mention_id, "role": cm.role} for cm in held],
        "actions": [_fields(a, "id kind status text target external_id created_at sent_at")
                    for a in actions],
    }


def _audit(session: Session, author_id: int, mention_ids: list[int], case_ids: list[int],
           action_ids: list[int]) -> list[dict[str, Any]]:
    """Audit events about the author, their mentions, their cases and those cases' actions."""
    wanted = [("author", [author_id]), ("mention", mention_ids), ("case", case_ids),
              ("action", action_ids)]
    events: dict[int, AuditEvent] = {}
    for entity, ids in wanted:
        for chunk in chunks([str(i) for i in ids]):
            for e in session.scalars(select(AuditEvent).where(
                    AuditEvent.entity == entity, AuditEvent.entity_id.in_(chunk))):
                events[e.id] = e
    return [_fields(e, "id at actor action entity entity_id data")
            for e in sorted(events.values(), key=lambda e: e.id)]

