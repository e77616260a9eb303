"""The writers for refutations: build the plan, approve and publish the official post, send the
targeted replies one by one, tick off native placements, record that the brand responded.

A plan is built for an `Attack` (its posts) or a `Spike` (the brand's negative mentions in its
window). Building again refreshes the ranking and drafts replies for new threads only. Every send
goes through the desk's machinery (`publish_action` / `send_action`), so nothing goes twice; the
first thing sent marks the attack or spike as answered (`responded_at`), which quiets the silence
detector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.delivery import draft_post, post_url, publish_action
from otklik.actions.send import (
    SendRefused,
    SourceFactory,
    approve_action,
    draft_action,
    send_action,
)
from otklik.actions.stored_templates import render_post
from otklik.care.templates import pick_lang
from otklik.db.models import (
    Action,
    Attack,
    Brand,
    Channel,
    Community,
    Mention,
    MentionBrand,
    Place,
    Refutation,
    Spike,
)
from otklik.db.rows import get_row
from otklik.publish import refutation as plan
from otklik.wording.refusals import refusal


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)  # action ids
    failed: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # threads with no channel to answer in
    paused: str | None = None  # why the loop stopped early (a rate limit)
    waited: float = 0.0  # seconds spent pacing
    coverage: float = 0.0


def get_refutation(session: Session, refutation_id: int) -> Refutation:
    return get_row(session, Refutation, refutation_id, "refutation")


def _campaign(session: Session, attack: Attack | None, spike: Spike | None) -> list[Mention]:
    if attack is not None:
        ids = [int(i) for i in attack.mention_ids or []]
        return list(session.scalars(select(Mention).where(Mention.id.in_(ids)))) if ids else []
    assert spike is not None
    end = spike.end or spike.peak + timedelta(hours=1)
    sentiment = func.coalesce(MentionBrand.sentiment, Mention.sentiment)
    return list(session.scalars(
        select(Mention).join(MentionBrand, MentionBrand.mention_id == Mention.id)
        .where(MentionBrand.brand_id == spike.brand_id, sentiment == "negative",
               Mention.created_at >= spike.start, Mention.created_at <= end)))


def _posts(mentions: list[Mention]) -> list[plan.CampaignPost]:
    return [plan.CampaignPost(m.id, m.network, m.external_id, m.thread_external_id,
                              m.parent_external_id, m.reach if m.reach is not None else (
                                  m.author.followers if m.author else None), m.url)
            for m in mentions]


def _channel_for(session: Session, brand_id: int, network: str) -> Channel | None:
    return session.scalars(select(Channel).where(
        Channel.brand_id == brand_id, Channel.network == network).order_by(Channel.id)).first()


def _placements(session: Session, brand_id: int, limit: int) -> list[dict[str, Any]]:
    rows = list(session.scalars(select(Community).where(Community.brand_id == brand_id)))
    place_ids = [r.place_id for r in rows if r.place_id is not None]
    media = frozenset(r.id for r in rows if r.place_id in set(session.scalars(
        select(Place.id).where(Place.id.in_(place_ids), Place.kind.in_(plan.MEDIA_KINDS)))))
    return plan.pick_placements(rows, limit, media)


def _official_url(session: Session, ref: Refutation) -> str | None:
    for action in _official(session, ref):
        channel = session.get(Channel, action.channel_id) if action.channel_id else None
        if action.status == "sent" and channel is not None and action.external_id:
            url = post_url(channel, action.external_id)
            if url:
                return url
    return None


def _official(session: Session, ref: Refutation) -> list[Action]:
    return list(session.scalars(select(Action).where(
        Action.refutation_id == ref.id, Action.kind == "post").order_by(Action.id)))


def _reply_text(session: Session, brand: Brand, ref: Refutation) -> tuple[str, int | None]:
    return render_post(session, brand.id, "refutation_reply", pick_lang(None, brand.languages),
                        {"brand": brand.name, "link": _official_url(session, ref) or ""})


def build_plan(
    session: Session, *, actor: str, attack_id: int | None = None, spike_id: int | None = None,
    claim: str = "", facts: str = "", placements: int = 10,
) -> Refutation:
    """Create (or refresh) the three-track plan for an attack or a spike. Commits."""
    if (attack_id is None) == (spike_id is None):
        raise ValueError("a refutation answers exactly one attack or one spike")
    attack = session.get(Attack, attack_id) if attack_id is not None else None
    spike = session.get(Spike, spike_id) if spike_id is not None else None
    if attack is None and spike is None:
        raise LookupError(f"no {'attack' if attack_id is not None else 'spike'} "
                          f"{attack_id if attack_id is not None else spike_id}")
    brand_id = attack.brand_id if attack is not None else spike.brand_id  # type: ignore[union-attr]
    brand = session.get(Brand, brand_id)
    assert brand is not None
    ref = session.scalars(select(Refutation).where(
        Refutation.attack_id == attack_id if attack_id is not None
        else Refutation.spike_id == spike_id)).first()
    threads = plan.rank_threads(_posts(_campaign(session, attack, spike)))
    if ref is None:
        lang = pick_lang(None, brand.languages)
        official, template_id = render_post(session, brand.id, "refutation_post", lang, {
            "brand": brand.name, "claim": claim.strip(), "facts": facts.strip()})
        ref = Refutation(brand_id=brand.id, attack_id=attack_id, spike_id=spike_id,
                         status="draft", official_text=official, replies=threads,
                         placements=_placements(session, brand.id, placements))
        session.add(ref)
        session.flush()
        for channel in session.scalars(select(Channel).where(Channel.brand_id == brand.id)
                                       .order_by(Channel.id)):
            draft_post(session, brand_id=brand.id, channel=channel, text=official,
                       key=f"refutation:{ref.id}:official:channel:{channel.id}", actor=actor,
                       needs_approval=True, template_id=template_id,
                       links={"refutation_id": ref.id})
        record(session, actor, "refutation.plan", "refutation", ref.id, attack_id=attack_id,
               spike_id=spike_id, threads=len(threads))
    else:
        ref.replies = plan.merge_threads(ref.replies or [], threads)
        record(session, actor, "refutation.refresh", "refutation", ref.id,
               threads=len(ref.replies))
    _draft_replies(session, brand, ref, actor)
    ref.coverage = plan.coverage(ref.replies)
    session.commit()
    return ref


def _draft_replies(session: Session, brand: Brand, ref: Refutation, actor: str) -> None:
    """A reply for every thread that has none yet (approval as the brand's settings say)."""
    text, template_id = _reply_text(session, brand, ref)
    approval = bool((brand.settings or {}).get("require_approval", False))
    updated = []
    for thread in ref.replies or []:
        thread = dict(thread)
        if thread.get("action_id") is None:
            mention = session.get(Mention, thread["mention_id"])
            channel = _channel_for(session, brand.id, thread["network"])
            if mention is not None:
                action = draft_action(
                    session, brand_id=brand.id, kind="public_reply", network=mention.network,
                    text=text, template_id=template_id, needs_approval=approval, actor=actor,
                    channel_id=channel.id if channel else None,
                    target={"external_id": mention.external_id, "mention_id": mention.id,
                            "parent_external_id": mention.parent_external_id,
                            "thread_external_id": mention.thread_external_id},
                    idempotency_key=f"refutation:{ref.id}:reply:{thread['thread']}"[:200])
                action.refutation_id = ref.id
                thread["action_id"] = action.id
                thread["status"] = "drafted" if channel else "no_channel"
        updated.append(thread)
    ref.replies = updated


def approve_official(session: Session, refutation_id: int, *, actor: str,
                     user_id: int | None = None) -> list[Action]:
    """Approve the official posts that wait for it. Commits."""
    ref = get_refutation(session, refutation_id)
    actions = [a for a in _official(session, ref) if a.status == "pending_approval"]
    if not actions:
        raise SendRefused(f"refutation {refutation_id}: no official post waits for approval")
    for action in actions:
        approve_action(session, action.id, actor=actor, user_id=user_id)
    session.commit()
    return actions


def _responded(ref: Refutation):  # type: ignore[no-untyped-def]
    def on_sent(session: Session, action: Action, actor: str) -> None:
        mark_responded(session, attack_id=ref.attack_id, spike_id=ref.spike_id, actor=actor,
                       at=action.sent_at, via=f"refutation {ref.id}")
    return on_sent


def publish_official(session: Session, refutation_id: int, *, source_factory: SourceFactory,
                     actor: str) -> list[Action]:
    """Publish the approved official post; unsent replies then link to it. Commits."""
    ref = get_refutation(session, refutation_id)
    actions = _official(session, ref)
    if any(a.status == "pending_approval" for a in actions):
        raise SendRefused(f"refutation {refutation_id}: approve the official post first")
    for action in actions:
        publish_action(session, action.id, source_factory=source_factory, actor=actor,
                       on_sent=_responded(ref))
    brand = session.get(Brand, ref.brand_id)
    assert brand is not None
    text, _ = _reply_text(session, brand, ref)
    for thread in ref.replies or []:
        reply = session.get(Action, thread.get("action_id") or 0)
        if reply is not None and reply.attempts == 0 and reply.status != "sent":
            reply.text = text  # never went out: now it can link the official post
    if any(a.status == "sent" for a in actions):
        ref.status = "active"
    record(session, actor, "refutation.official", "refutation", ref.id,
           sent=[a.id for a in actions if a.status == "sent"])
    session.commit()
    return actions


def send_replies(
    session: Session, refutation_id: int, *, source_factory: SourceFactory, actor: str,
    limit: int | None = None, pacer: plan.Pacer | None = None,
) -> SendReport:
    """Send the drafted replies one by one, largest reach first, paced per network; a rate
    limit from the network stops the loop (the rest waits for the next run). Commits."""
    ref = get_refutation(session, refutation_id)
    pacer = pacer or plan.Pacer()
    report = SendReport()
    for index, thread in enumerate(list(ref.replies or [])):
        if limit is not None and len(report.sent) + len(report.failed) >= limit:
            break
        action = session.get(Action, thread.get("action_id") or 0)
        if action is None or action.status in ("sent", "pending_approval", "needs_review"):
            continue
        if action.channel_id is None:
            report.skipped.append(thread["thread"])
            continue
        report.waited += pacer.wait(action.network)
        send_action(session, action.id, source_factory=source_factory, actor=actor,
                    on_sent=_responded(ref))
        replies = [dict(t) for t in ref.replies]
        replies[index]["status"] = action.status
        ref.replies = replies
        ref.coverage = plan.coverage(replies)
        session.commit()
        (report.sent if action.status == "sent" else report.failed).append(action.id)
        if action.status == "failed" and (action.failure or "").startswith("rate_limited"):
            report.paused = action.last_error
            break
    report.coverage = ref.coverage
    return report


def set_placement(session: Session, refutation_id: int, community_id: int, status: str, *,
                  actor: str, note: str = "") -> Refutation:
    """Tick off a native placement (todo → contacted → published, or declined)."""
    ref = get_refutation(session, refutation_id)
    plan.check_placement_status(status)
    items = [dict(p) for p in ref.placements or []]
    for item in items:
        if item["community_id"] == community_id:
            item["status"], item["note"] = status, note or item.get("note", "")
            break
    else:
        raise LookupError(f"community {community_id} is not in refutation {refutation_id}")
    ref.placements = items
    record(session, actor, "refutation.placement", "refutation", ref.id,
           community_id=community_id, status=status)
    return ref


def mark_responded(session: Session, *, actor: str, attack_id: int | None = None,
                   spike_id: int | None = None, at: datetime | None = None,
                   via: str = "by hand") -> None:
    """The brand has answered this attack or spike: the silence detector stays quiet."""
    at = at or datetime.now(UTC)
    rows: list[tuple[str, Attack | Spike | None, int]] = []
    if attack_id is not None:
        rows.append(("attack", session.get(Attack, attack_id), attack_id))
    if spike_id is not None:
        rows.append(("spike", session.get(Spike, spike_id), spike_id))
    for name, row, ident in rows:
        if row is None:
            raise LookupError(f"no {name} {ident}")
        if row.responded_at is None:
            row.responded_at = at
            record(session, actor, f"{name}.responded", name, ident, via=via)


def edit_official(session: Session, refutation_id: int, text: str, *, actor: str) -> Refutation:
    """Change the official post's text while it waits for approval (never once it is out)."""
    ref = get_refutation(session, refutation_id)
    if not text.strip():
        raise refusal(ValueError, "refused_official_empty")
    waiting = [a for a in _official(session, ref) if a.status == "pending_approval"]
    if not waiting:
        raise refusal(SendRefused, "refused_official_approved", id=refutation_id)
    before, ref.official_text = ref.official_text, text.strip()
    for action in waiting:
        action.text = ref.official_text
    record(session, actor, "refutation.edit", "refutation", ref.id, before=before,
           after=ref.official_text)
    return ref


def stage(official: list[str], replies: list[str]) -> str:
    """Where the plan is: draft → approved → published → done (every reply settled)."""
    if not official or any(s == "pending_approval" for s in official):
        return "draft"
    if not any(s == "sent" for s in official):
        return "approved"
    if any(s in ("drafted", "approved", "pending_approval", "failed") for s in replies):
        return "published"
    return "done"


def status(session: Session, refutation_id: int) -> dict[str, Any]:
    """Progress of the three tracks, for the CLI and the web page."""
    ref = get_refutation(session, refutation_id)
    replies = ref.replies or []
    counts: dict[str, int] = {}
    for t in replies:
        counts[t.get("status", "todo")] = counts.get(t.get("status", "todo"), 0) + 1
    return {
        "id": ref.id, "status": ref.status, "attack_id": ref.attack_id, "spike_id": ref.spike_id,
        "stage": stage([a.status for a in _official(session, ref)],
                       [str(t.get("status", "todo")) for t in replies]),
        "official": [{"action_id": a.id, "status": a.status, "external_id": a.external_id}
                     for a in _official(session, ref)],
        "official_url": _official_url(session, ref),
        "threads": len(replies), "replies": counts, "coverage": plan.coverage(replies),
        "reach": sum(int(t["reach"]) for t in replies),
        "placements": [{k: p.get(k) for k in ("community_id", "name", "audience", "status")}
                       for p in ref.placements or []],
    }
