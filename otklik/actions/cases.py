"""The only writers for cases: open, join, assign, tag, note, move, resolve, close the loop
(the messages a case sends are drafted and sent by `otklik.actions.case_answers`).

Every change writes an audit event (who, when, what) in the same transaction. Functions that send
through a network commit (see `otklik.actions.send`); the others leave the commit to the caller.
Read-only questions live in `otklik.actions.case_queries` and `otklik.care.rules`.

After each ingest the caller runs `process_ingested(session, mention_ids)`: replies to our answers
and follow-ups are attached first (closing followed-up cases with the customer's outcome), then
cases are opened or joined for the new negative mentions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, lazyload

from otklik.actions import case_queries as queries
from otklik.actions.audit import Event, record, record_many
from otklik.actions.brands import brand_by_id
from otklik.actions.case_locks import lock_case_keys
from otklik.actions.compose import mention_summary
from otklik.actions.locations import route_case
from otklik.alerts.events import AlertEvent
from otklik.care.followup import classify_reply
from otklik.care.rules import CaseRule, is_brand_own, thread_key, wants_case
from otklik.db.base import utcnow
from otklik.db.bulk import insert_ignoring_conflicts, table_of
from otklik.db.models import Action, Brand, Case, CaseMention, Channel, Mention, MentionBrand
from otklik.db.rows import get_row
from otklik.domain import cases as sm
from otklik.wording.refusals import refusal

log = logging.getLogger("otklik.care")


@dataclass
class IngestOutcome:
    opened: list[int] = field(default_factory=list)  # case ids
    joined: list[tuple[int, int]] = field(default_factory=list)  # (case id, mention id)
    replies: list[tuple[int, int, str | None]] = field(default_factory=list)  # + outcome
    alerts: list[AlertEvent] = field(default_factory=list)


def now_or(now: datetime | None) -> datetime:
    """The given time (tests, the demo's clock) or now."""
    return now or datetime.now(UTC)


def get_case(session: Session, case_id: int) -> Case:
    return get_row(session, Case, case_id, "case")


# --- opening and joining -------------------------------------------------------------------------


def _holds(session: Session, case_id: int, mention_id: int) -> bool:
    return session.get(CaseMention, (case_id, mention_id)) is not None


def _attach(session: Session, case: Case, mention: Mention, role: str, actor: str, *,
            flush: bool = True) -> None:
    session.add(CaseMention(case_id=case.id, mention_id=mention.id, role=role))
    if flush:
        session.flush()
    record(session, actor, "case.attach", "case", case.id, mention_id=mention.id, role=role)


def _new_case(
    session: Session, brand: Brand, mention: Mention, actor: str, now: datetime,
    priority: float | None = None,
) -> Case:
    case = _case_for(brand, mention, actor, now, priority)
    session.add(case)
    session.flush()
    _opened(session, case, brand, mention, actor, routed=True)
    return case


def _case_for(brand: Brand, mention: Mention, actor: str, now: datetime,
              priority: float | None = None) -> Case:
    """A new case for this mention (not yet added to the session)."""
    return Case(
        brand_id=brand.id, state=sm.NEW, network=mention.network, thread_key=thread_key(mention),
        author_id=mention.author_id, root_mention_id=mention.id,
        customer_name=mention.customer_name, lang=mention.lang,
        priority=priority if priority is not None else (mention.priority or 0.0),
        first_response_due_at=sm.first_response_due(
            mention.created_at, brand.sla_minutes, brand.working_hours),
        opened_by=actor, tags=[], notes=[], created_at=now,
    )


def _opened(session: Session, case: Case, brand: Brand, mention: Mention, actor: str, *,
            routed: bool) -> None:
    """What follows a new case's insert: its audit, its complaint, its location's people
    (`routed`: the mention names one of the brand's locations, or may)."""
    who, action, entity, entity_id, data = _open_event(actor, case, brand, mention)
    record(session, who, action, entity, entity_id, **data)
    _attach(session, case, mention, "complaint", actor, flush=False)
    if routed:
        route_case(session, case, mention.id)


def _open_event(actor: str, case: Case, brand: Brand, mention: Mention) -> Event:
    due = case.first_response_due_at
    return (actor, "case.open", "case", case.id, {
        "brand_id": brand.id, "mention_id": mention.id, "due": due.isoformat() if due else None})


def open_case(
    session: Session, mention_id: int, brand_id: int, *, actor: str,
    priority: float | None = None, now: datetime | None = None,
) -> Case:
    """A responder opens a case by hand (returns the open case that already holds the mention)."""
    mention = get_row(session, Mention, mention_id, "mention")
    brand = brand_by_id(session, brand_id)
    existing = queries.cases_in_brand_of_mention(session, mention_id).get(brand_id)
    if existing is not None:
        case = get_case(session, existing)
        if case.state in sm.OPEN_STATES:
            return case
    return _new_case(session, brand, mention, actor, now_or(now), priority)


def open_cases_for_mentions(
    session: Session, mention_ids: Sequence[int], *, actor: str = "system",
    now: datetime | None = None, outcome: IngestOutcome | None = None,
) -> IngestOutcome:
    """Apply the case rules to freshly ingested mentions: open new cases or join open ones."""
    return _open_cases(session, _fresh_mentions(session, mention_ids), actor, now_or(now),
                       outcome or IngestOutcome())


def _open_cases(session: Session, mentions: Sequence[Mention], actor: str, now: datetime,
                out: IngestOutcome) -> IngestOutcome:
    ids = [m.id for m in mentions]
    held = queries.brands_holding(session, ids)
    matches: dict[int, list[MentionBrand]] = {}
    for i in range(0, len(ids), 500):
        for match in session.scalars(select(MentionBrand).where(
                MentionBrand.mention_id.in_(ids[i:i + 500]))
                .execution_options(populate_existing=True)):
            matches.setdefault(match.mention_id, []).append(match)
    brands: dict[int, tuple[Brand, CaseRule, list[Channel]]] = {}
    wanted: list[tuple[Mention, Brand, CaseRule]] = []
    for mention in mentions:
        for match in matches.get(mention.id, []):
            if match.brand_id in held.get(mention.id, ()):
                continue
            if match.brand_id not in brands:
                brand = brand_by_id(session, match.brand_id)
                channels = list(session.scalars(select(Channel).where(
                    Channel.brand_id == brand.id)))
                brands[match.brand_id] = (brand, CaseRule.of(brand), channels)
            brand, rule, channels = brands[match.brand_id]
            sentiment = match.sentiment or mention.sentiment
            if is_brand_own(mention, channels) or not wants_case(
                    sentiment, mention.is_question, mention.priority, rule):
                continue
            wanted.append((mention, brand, rule))
    lock_case_keys(session, [(b.id, m) for m, b, _ in wanted])
    if not wanted:
        return out
    # the batch's open cases in three queries, kept up to date as the batch opens and joins
    windows = max(rule.author_window_days for _, _, rule in wanted)
    joinable = queries.JoinableCases.load(session, [(b.id, m) for m, b, _ in wanted],
                                          now - timedelta(days=windows))
    steps: list[tuple[Case, Mention, Brand, bool]] = []  # (case, mention, brand, opened)
    for mention, brand, rule in wanted:
        case = joinable.find(brand.id, mention, rule, now)
        if case is not None:
            joinable.attached(brand.id, case, mention)
            steps.append((case, mention, brand, False))
            continue
        case = _case_for(brand, mention, actor, now)
        session.add(case)
        joinable.opened(brand.id, case, mention)
        steps.append((case, mention, brand, True))
    session.flush()  # the new cases in one statement; their ids for what follows
    events: list[Event] = []
    routed: list[tuple[Case, Mention]] = []
    for case, mention, brand, opened in steps:
        if opened:
            events.append(_open_event(actor, case, brand, mention))
            out.opened.append(case.id)
            out.alerts.append(AlertEvent("new_case", brand.id, case.id, mention_summary(mention),
                                         priority=case.priority, url=mention.url, at=now))
            if any(match.brand_id == brand.id and match.location_id is not None
                   for match in matches.get(mention.id, [])):
                routed.append((case, mention))
        else:
            out.joined.append((case.id, mention.id))
        events.append((actor, "case.attach", "case", case.id,
                       {"mention_id": mention.id, "role": "complaint"}))
    # the batch's links and their audit in two statements (as ORM objects they cost more than
    # the cases); then each case about a location goes to its people
    _link_complaints(session, [(case.id, mention.id) for case, mention, _, _ in steps])
    record_many(session, events)
    for case, mention in routed:
        route_case(session, case, mention.id)
    session.flush()
    return out


def _link_complaints(session: Session, pairs: Sequence[tuple[int, int]]) -> None:
    """(case id, mention id) rows of `case_mentions`, role "complaint", in one statement."""
    if pairs:
        insert_ignoring_conflicts(session.connection(), table_of(CaseMention), {
            "case_id": [c for c, _ in pairs], "mention_id": [m for _, m in pairs],
            "role": ["complaint"] * len(pairs), "added_at": [utcnow()] * len(pairs),
        }, ("case_id",))


def _fresh_mentions(session: Session, mention_ids: Sequence[int]) -> Sequence[Mention]:
    """The mentions as stored now (ingest writes with Core, behind the ORM's back)."""
    ids = list(mention_ids)
    found: list[Mention] = []
    for i in range(0, len(ids), 500):
        found += session.scalars(
            select(Mention).where(Mention.id.in_(ids[i:i + 500]))
            # not what the rules read: the network's whole payload, the place, the brand rows
            .options(defer(Mention.raw), lazyload(Mention.place), lazyload(Mention.brands))
            .execution_options(populate_existing=True)
        ).all()
    return sorted(found, key=lambda m: (m.created_at, m.id))


def process_ingested(
    session: Session, mention_ids: Sequence[int], *, actor: str = "system",
    now: datetime | None = None,
) -> IngestOutcome:
    """Call after `pipeline.ingest`: attach replies to their cases, then open/join cases."""
    out = IngestOutcome()
    candidates, replies = queries.case_candidates(session, mention_ids)
    mentions = _fresh_mentions(session, candidates)
    out.replies = _link_replies(session, [m for m in mentions if m.id in replies], actor, now)
    return _open_cases(session, mentions, actor, now_or(now), out)


# --- people's edits ------------------------------------------------------------------------------


def assign(session: Session, case_id: int, user_id: int | None, *, actor: str) -> Case:
    case = get_case(session, case_id)
    before, case.assignee_id = case.assignee_id, user_id
    record(session, actor, "case.assign", "case", case.id, before=before, after=user_id)
    return case


def tag(
    session: Session, case_id: int, *, add: Sequence[str] = (), remove: Sequence[str] = (),
    actor: str,
) -> Case:
    case = get_case(session, case_id)
    tags = [t for t in case.tags or [] if t not in set(remove)]
    for new in (t.strip() for t in add):
        if new and new not in tags:
            tags.append(new)
    case.tags = tags
    record(session, actor, "case.tag", "case", case.id, add=list(add), remove=list(remove))
    return case


def set_priority(session: Session, case_id: int, priority: float, *, actor: str) -> Case:
    case = get_case(session, case_id)
    before, case.priority = case.priority, float(priority)
    record(session, actor, "case.priority", "case", case.id, before=before, after=priority)
    return case


def add_note(session: Session, case_id: int, text: str, *, actor: str,
             now: datetime | None = None) -> Case:
    """An internal note (never sent anywhere); notes are only ever added."""
    if not text.strip():
        raise ValueError("a note needs a text")
    case = get_case(session, case_id)
    case.notes = [*(case.notes or []), {"at": now_or(now).isoformat(), "by": actor, "text": text}]
    record(session, actor, "case.note", "case", case.id, text=text)
    return case


def transition(
    session: Session, case_id: int, target: str, *, actor: str, reason: str | None = None,
    now: datetime | None = None, outcome: str | None = None,
) -> Case:
    """Move a case (IllegalTransition if the state machine forbids it); audited."""
    case = get_case(session, case_id)
    move_case(session, case, target, actor, now_or(now), reason=reason, outcome=outcome)
    return case


def move_case(session: Session, case: Case, target: str, actor: str, now: datetime,
              reason: str | None = None, outcome: str | None = None) -> None:
    """Move a case through the state machine, with its timestamps and audit (the one writer
    of `Case.state`)."""
    sm.check_transition(case.state, target)
    if target == sm.CLOSED:
        if outcome is not None and outcome not in sm.OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r} (one of {', '.join(sm.OUTCOMES)})")
        case.closed_at, case.outcome = now, outcome or case.outcome
    if target == sm.RESOLVED:
        case.resolved_at = now
    record(session, actor, "case.transition", "case", case.id, before=case.state, after=target,
           reason=reason, outcome=outcome)
    case.state = target


class UnsentAnswer(ValueError):
    """Resolving a case whose answer never reached the customer needs a person's confirmation."""


def resolve(session: Session, case_id: int, *, actor: str, now: datetime | None = None,
            reason: str | None = None, confirm_unsent: bool = False) -> Case:
    """Mark solved in private and schedule the public follow-up after the brand's delay.

    A case nothing was sent on (no public answer, no private message) is resolved only when
    `confirm_unsent` says a person knows (solved by phone, in a shop…); the audit records it."""
    now = now_or(now)
    case = get_case(session, case_id)
    answered = session.scalar(select(Action.id).where(
        Action.case_id == case.id, Action.status == "sent",
        Action.kind.in_(("public_reply", "private_message"))).limit(1))
    if answered is None:
        if not confirm_unsent:
            raise refusal(UnsentAnswer, "refused_unsent_answer", id=case.id)
        record(session, actor, "case.resolved_unanswered", "case", case.id, reason=reason)
    move_case(session, case, sm.RESOLVED, actor, now, reason=reason)
    days = brand_by_id(session, case.brand_id).follow_up_days
    case.follow_up_due_at = now + timedelta(days=days) if days and days > 0 else None
    record(session, actor, "case.follow_up_scheduled", "case", case.id,
           due=case.follow_up_due_at.isoformat() if case.follow_up_due_at else None)
    return case


def move_follow_up(session: Session, case_id: int, due_at: datetime, *, actor: str) -> Case:
    """Move when the brand comes back to ask how it ended (a resolved case only)."""
    case = get_case(session, case_id)
    if case.state != sm.RESOLVED:
        raise refusal(ValueError, "refused_follow_up_unresolved", id=case.id)
    due = due_at if due_at.tzinfo else due_at.replace(tzinfo=UTC)
    before, case.follow_up_due_at = case.follow_up_due_at, due
    record(session, actor, "case.follow_up_moved", "case", case.id,
           before=before.isoformat() if before else None, due=due.isoformat())
    return case


# --- the loop: follow-up, the customer's answer, SLA, removed comments ---------------------------


def attach_customer_reply(
    session: Session, case_id: int, mention_id: int, *, actor: str = "system",
    now: datetime | None = None, role: str = "customer_reply",
) -> str | None:
    """Attach a reply to the case; after a follow-up, classify it and close with that outcome."""
    case = get_case(session, case_id)
    mention = get_row(session, Mention, mention_id, "mention")
    if not _holds(session, case.id, mention.id):
        _attach(session, case, mention, role, actor)
    if role != "customer_reply" or case.state != sm.FOLLOWED_UP:
        return None
    outcome = classify_reply(mention.text)
    move_case(session, case, sm.CLOSED, actor, now_or(now), reason=f"customer replied: {outcome}",
          outcome=outcome)
    return outcome


def _link_replies(session: Session, mentions: Sequence[Mention], actor: str,
                  now: datetime | None) -> list[tuple[int, int, str | None]]:
    """Attach the possible replies (`queries.case_candidates`) that do answer a case."""
    linked = []
    for mention in mentions:
        found = queries.case_answered_by(session, mention)
        if found is None:
            continue
        case, role = found
        if _holds(session, case.id, mention.id):
            continue
        outcome = attach_customer_reply(session, case.id, mention.id, actor=actor, now=now,
                                        role=role)
        linked.append((case.id, mention.id, outcome))
    return linked
