"""Read-only questions the desk asks the store: which cases are due, which case a reply answers.

Kept apart from the writers (`otklik.actions.cases`) so the web pages can ask them too; the
rules they apply are `otklik.care.rules`, which read nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, lazyload

from otklik.care.rules import CaseRule
from otklik.db.models import Action, Brand, Case, CaseMention, Mention, MentionBrand
from otklik.domain.cases import ESCALATED, FOLLOWED_UP, NEW, OPEN_STATES, RESOLVED

# a case's mentions and actions load when read, not with every lookup (ingest runs these often)
LAZY = (lazyload(Case.mentions), lazyload(Case.actions))


def cases_in_brand_of_mention(session: Session, mention_id: int) -> dict[int, int]:
    """brand id → case id, for every case (any state) that already holds this mention."""
    rows = session.execute(
        select(Case.brand_id, Case.id)
        .join(CaseMention, CaseMention.case_id == Case.id)
        .where(CaseMention.mention_id == mention_id)
    )
    return {brand_id: case_id for brand_id, case_id in rows}


def brands_holding(session: Session, mention_ids: Sequence[int]) -> dict[int, set[int]]:
    """mention id → ids of the brands that already have a case (any state) holding it."""
    held: dict[int, set[int]] = {}
    ids = list(mention_ids)
    for i in range(0, len(ids), 500):
        for mention_id, brand_id in session.execute(
            select(CaseMention.mention_id, Case.brand_id)
            .join(Case, Case.id == CaseMention.case_id)
            .where(CaseMention.mention_id.in_(ids[i:i + 500]))
        ):
            held.setdefault(mention_id, set()).add(brand_id)
    return held


def due_follow_ups(session: Session, now: datetime) -> Sequence[Case]:
    """Resolved cases whose follow-up time has come and that have no follow-up action yet."""
    has_follow_up = select(Action.id).where(Action.case_id == Case.id,
                                            Action.kind == "follow_up").exists()
    return session.scalars(
        select(Case).options(*LAZY)
        .where(Case.state == RESOLVED, Case.follow_up_due_at.is_not(None),
               Case.follow_up_due_at <= now, ~has_follow_up)
        .order_by(Case.follow_up_due_at, Case.id)
    ).all()


def silent_follow_ups(session: Session) -> Sequence[tuple[Case, Brand]]:
    """Cases waiting for the customer's answer to a follow-up (the caller checks the time)."""
    rows = session.execute(
        select(Case, Brand).join(Brand, Brand.id == Case.brand_id)
        .where(Case.state == FOLLOWED_UP, Case.followed_up_at.is_not(None))
    )
    return [(case, brand) for case, brand in rows]


def sla_pending(session: Session) -> Sequence[tuple[Case, Brand]]:
    """Open cases still waiting for their first public answer, with their brand."""
    rows = session.execute(
        select(Case, Brand).join(Brand, Brand.id == Case.brand_id)
        .where(Case.state.in_((NEW, ESCALATED)), Case.first_response_at.is_(None),
               Case.first_response_due_at.is_not(None))
        .order_by(Case.first_response_due_at)
    )
    return [(case, brand) for case, brand in rows]


def cases_with_removed_mentions(
    session: Session, mention_ids: Sequence[int] | None = None
) -> Sequence[tuple[Case, Mention]]:
    """Cases not yet flagged although one of their mentions was removed at the source."""
    stmt = (
        select(Case, Mention)
        .join(CaseMention, CaseMention.case_id == Case.id)
        .join(Mention, Mention.id == CaseMention.mention_id)
        .where(Mention.removed_at_source.is_not(None), Case.removed_at_source.is_(None))
        .order_by(Case.id)
    )
    if mention_ids is not None:
        stmt = stmt.where(Mention.id.in_(list(mention_ids)))
    seen: set[int] = set()
    found = []
    for case, mention in session.execute(stmt):
        if case.id not in seen:
            seen.add(case.id)
            found.append((case, mention))
    return found


_ROOT = aliased(Mention, name="root")
_LIVE = OPEN_STATES - {NEW}


class PostKeys(Protocol):
    """What `reply_candidates` reads of a mention: an ORM object or a plain row will do."""

    id: int
    network: str
    external_id: str
    parent_external_id: str | None
    author_id: int | None


def case_candidates(session: Session, mention_ids: Sequence[int]) -> tuple[list[int], set[int]]:
    """The ids of a batch the case rules can act on (brand matches and possible replies, in
    batch order), and which of them may be replies.

    Plain rows, no ORM objects: a batch of mentions that match no brand and answer nobody (most
    of a firehose) then costs three light queries instead of loading every mention.
    """
    ids = list(mention_ids)
    keys: list[PostKeys] = []
    matched: set[int] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        keys += session.execute(
            select(Mention.id, Mention.network, Mention.external_id, Mention.parent_external_id,
                   Mention.author_id).where(Mention.id.in_(chunk))).all()
        matched.update(session.scalars(
            select(MentionBrand.mention_id).where(MentionBrand.mention_id.in_(chunk))))
    replies = {m.id for m in reply_candidates(session, keys)}
    return [i for i in ids if i in matched or i in replies], replies


def reply_candidates(session: Session, mentions: Sequence[PostKeys]) -> list[PostKeys]:
    """The few mentions of a batch that may answer a case (two queries for the whole batch):
    those whose id or parent is the network id of an action we sent, or whose author has a live
    case. `case_answered_by` then looks at each of them."""
    if not mentions:
        return []
    ids: set[tuple[str, str]] = set()
    for m in mentions:
        ids.add((m.network, m.external_id))
        if m.parent_external_id:
            ids.add((m.network, m.parent_external_id))
    ours: set[tuple[str, str]] = set()
    for network in {n for n, _ in ids}:
        wanted = [e for n, e in ids if n == network]
        for i in range(0, len(wanted), 500):
            ours.update((network, e) for e in session.scalars(select(Action.external_id).where(
                Action.network == network, Action.external_id.in_(wanted[i:i + 500]))) if e)
    authors = sorted({m.author_id for m in mentions if m.author_id is not None})
    live: set[int] = set()
    for i in range(0, len(authors), 500):
        live.update(a for a in session.scalars(select(Case.author_id).where(
            Case.state.in_(_LIVE), Case.author_id.in_(authors[i:i + 500]))) if a is not None)
    return [m for m in mentions
            if (m.network, m.external_id) in ours or m.author_id in live
            or (m.parent_external_id and (m.network, m.parent_external_id) in ours)]


def case_answered_by(session: Session, mention: Mention) -> tuple[Case, str] | None:
    """The open case a new mention answers, and its role there (`customer_reply`/`brand_answer`).

    A mention is the brand's own answer when its id is the network id of an action the desk sent;
    it is the customer's reply when it answers one of our actions, or when the case's customer
    writes again in the thread of the case's root mention.
    """
    if mention.author_id is None and mention.parent_external_id is None:
        return None
    ours = session.scalars(
        select(Case).options(*LAZY).join(Action, Action.case_id == Case.id)
        .where(Action.network == mention.network, Action.external_id == mention.external_id)
    ).first()
    if ours is not None:
        return ours, "brand_answer"
    live = Case.state.in_(_LIVE)
    if mention.parent_external_id:
        answered = session.scalars(
            select(Case).options(*LAZY).join(Action, Action.case_id == Case.id)
            .where(live, Action.network == mention.network,
                   Action.external_id == mention.parent_external_id,
                   Case.author_id == mention.author_id)
            .order_by(Case.id.desc())
        ).first()
        if answered is not None:
            return answered, "customer_reply"
    if mention.author_id is None:
        return None
    thread = mention.thread_external_id or mention.external_id
    same_thread = session.scalars(
        select(Case).options(*LAZY).join(_ROOT, _ROOT.id == Case.root_mention_id)
        .where(live, Case.author_id == mention.author_id, Case.network == mention.network,
               _ROOT.thread_external_id == thread, _ROOT.id != mention.id)
        .order_by(Case.id.desc())
    ).first()
    return (same_thread, "customer_reply") if same_thread is not None else None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _chunks(values: Iterable[Any], size: int = 500) -> Iterator[list[Any]]:
    items = sorted(set(values), key=repr)
    for i in range(0, len(items), size):
        yield items[i:i + size]


class JoinableCases:
    """The joining rule of `care.rules` (its module docstring) for a whole batch: the open cases
    the batch's mentions may join, read in three queries, then kept up to date with what the
    batch itself opens and attaches (a later mention of the batch joins a case an earlier one
    opened, exactly as when each mention asked the store in turn).

    Per brand: the open cases holding a mention (by network id: a reply to it joins), the open
    cases of a thread key, and the open cases of an author (newest wins)."""

    def __init__(self) -> None:
        self.by_post: dict[tuple[int, str, str], Case] = {}
        self.by_thread: dict[tuple[int, str | None], Case] = {}
        self.by_author: dict[tuple[int, str, int], list[Case]] = {}
        self.new: dict[int, int] = {}  # id(case) → order opened, for cases not yet flushed

    @classmethod
    def load(cls, session: Session, wanted: Sequence[tuple[int, Mention]],
             since: datetime) -> JoinableCases:
        """`wanted`: (brand id, mention) pairs about to be decided; `since`: the earliest
        author window of their brands."""
        found = cls()
        brands = sorted({b for b, _ in wanted})
        if not wanted:
            return found
        open_case = (Case.brand_id.in_(brands), Case.state.in_(OPEN_STATES))
        parents = {m.parent_external_id for _, m in wanted if m.parent_external_id}
        for chunk in _chunks(parents):
            rows = session.execute(
                select(Case, Mention.network, Mention.external_id).options(*LAZY)
                .join(CaseMention, CaseMention.case_id == Case.id)
                .join(Mention, Mention.id == CaseMention.mention_id)
                .where(*open_case, Mention.external_id.in_(chunk)).order_by(Case.id))
            for case, network, external_id in rows:
                found.by_post.setdefault((case.brand_id, network, external_id), case)
        keys = {k for _, m in wanted for k in _thread_keys(m)}
        for chunk in _chunks(keys):
            for case in session.scalars(select(Case).options(*LAZY).where(
                    *open_case, Case.thread_key.in_(chunk)).order_by(Case.id)):
                found.by_thread.setdefault((case.brand_id, case.thread_key), case)
        authors = {m.author_id for _, m in wanted if m.author_id is not None}
        for chunk in _chunks(authors):
            for case in session.scalars(select(Case).options(*LAZY).where(
                    *open_case, Case.author_id.in_(chunk), Case.created_at >= since)
                    .order_by(Case.id)):
                if case.author_id is not None:
                    found.by_author.setdefault(
                        (case.brand_id, case.network, case.author_id), []).append(case)
        return found

    def find(self, brand_id: int, mention: Mention, rule: CaseRule,
             now: datetime) -> Case | None:
        """The case the joining rule gives at this point of the batch."""
        if mention.parent_external_id:
            parent = self.by_post.get((brand_id, mention.network, mention.parent_external_id))
            if parent is not None:
                return parent
        same = [c for k in _thread_keys(mention)
                if (c := self.by_thread.get((brand_id, k))) is not None]
        if same:
            return min(same, key=self._order)
        if mention.author_id is None:
            return None
        since = _aware(now) - timedelta(days=rule.author_window_days)
        for case in reversed(self.by_author.get((brand_id, mention.network, mention.author_id),
                                                [])):
            if _aware(case.created_at) >= since:
                return case
        return None

    def _order(self, case: Case) -> tuple[int, int]:
        """Id order; a case the batch opened (no id until flushed) after every stored one."""
        return (1, self.new[id(case)]) if id(case) in self.new else (0, case.id)

    def attached(self, brand_id: int, case: Case, mention: Mention) -> None:
        """`mention` now belongs to `case` (replies to it join the case)."""
        self.by_post.setdefault((brand_id, mention.network, mention.external_id), case)

    def opened(self, brand_id: int, case: Case, mention: Mention) -> None:
        """The batch opened `case` for `mention` (newer than every case read)."""
        self.new[id(case)] = len(self.new)
        self.attached(brand_id, case, mention)
        self.by_thread.setdefault((brand_id, case.thread_key), case)
        if case.author_id is not None:
            self.by_author.setdefault((brand_id, case.network, case.author_id), []).append(case)


def _thread_keys(mention: Mention) -> list[str]:
    thread = mention.thread_external_id or mention.external_id
    return [f"{mention.network}:{thread}", f"{mention.network}:{thread}#{mention.author_id}"]
