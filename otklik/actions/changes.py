"""The desk's smaller writers: sentiment labels, sources and credentials, brand settings,
owned channels, templates, alert channels.

Each validates its input (`ChangeError` names the field), records an audit event in the
caller's transaction and leaves the commit to the caller, except where its name or docstring
says it is one request's whole change (then it commits).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.db.models import (
    AlertChannel,
    Brand,
    Channel,
    Mention,
    MentionBrand,
    SentimentCorrection,
    Source,
    Template,
    User,
)
from otklik.db.secrets import CannotOpen, open_credentials, seal_credentials
from otklik.domain.posts import NETWORKS
from otklik.sources.registry import source_class

LABELS = ("negative", "neutral", "positive")
ALERT_KINDS = ("telegram", "email", "webhook")
SECRET_MASK = "••••"


class ChangeError(ValueError):
    """A change asked with bad input; the message says which field."""


def correct_sentiment(session: Session, mention: Mention, label: str, user: User,
                      brand_id: int | None = None) -> SentimentCorrection:
    """Store an analyst's label (kept for retraining) and mark the mention corrected."""
    if label not in LABELS:
        raise ChangeError(f"label must be one of {', '.join(LABELS)}, not {label!r}")
    correction = SentimentCorrection(
        mention_id=mention.id, brand_id=brand_id, old_label=mention.sentiment, label=label,
        user_id=user.id, text=mention.text, lang=mention.lang,
    )
    session.add(correction)
    old = mention.sentiment
    mention.sentiment = label
    mention.sentiment_corrected = True
    stmt = update(MentionBrand).where(MentionBrand.mention_id == mention.id)
    if brand_id is not None:
        stmt = stmt.where(MentionBrand.brand_id == brand_id)
    session.execute(stmt.values(sentiment=label))
    session.flush()
    record(session, user.email, "mention.correct_sentiment", "mention", mention.id,
           old=old, label=label, brand_id=brand_id)
    return correction


def store_correction(session: Session, mention: Mention, label: str, user: User,
                     brand_id: int | None = None) -> SentimentCorrection:
    """`correct_sentiment` for one request, committed."""
    correction = correct_sentiment(session, mention, label, user, brand_id)
    session.commit()
    return correction


def mask_secret(value: object) -> str:
    """What the page shows of a stored secret: never more than its last 4 characters."""
    text = str(value or "")
    if not text:
        return ""
    return SECRET_MASK + (text[-4:] if len(text) >= 12 else "")


def save_source(session: Session, actor: str, source: Source | None, *, name: str, network: str,
                kind: str, params: dict[str, Any], credentials: dict[str, str],
                interval_seconds: int, enabled: bool, brand_id: int | None,
                secret_key: str) -> Source:
    """Create or edit a source; an empty credential value keeps the stored one. Credentials
    are sealed with `secret_key` (otklik.db.secrets) before they reach the row."""
    try:
        cls = source_class(network)
    except ValueError as exc:
        raise ChangeError(str(exc)) from None
    if cls.kinds and kind not in cls.kinds:
        raise ChangeError(f"{network}: unknown kind {kind!r} (one of: {', '.join(cls.kinds)})")
    if not name.strip():
        raise ChangeError("name: required")
    if interval_seconds < 10:
        raise ChangeError("interval_seconds: at least 10")
    creating = source is None
    if source is None:
        source = Source(network=network, name=name, kind=kind)
        session.add(source)
    try:
        stored = open_credentials(source.credentials, secret_key)
    except CannotOpen:
        stored = {}  # sealed under an old key: what is entered now replaces it
    for key, value in credentials.items():
        if value:
            stored[key] = value
    source.name, source.network, source.kind = name.strip(), network, kind or "search"
    source.params, source.credentials = params, seal_credentials(stored, secret_key)
    source.interval_seconds, source.enabled, source.brand_id = interval_seconds, enabled, brand_id
    session.flush()
    record(session, actor, "source.create" if creating else "source.update", "source", source.id,
           name=source.name, network=network, credential_keys=sorted(stored))
    return source


def update_brand(session: Session, actor: str, brand: Brand, *, name: str, sla_minutes: int,
                 follow_up_days: float) -> None:
    if not name.strip():
        raise ChangeError("name: required")
    if not 1 <= sla_minutes <= 7 * 24 * 60:
        raise ChangeError("sla_minutes: between 1 and 10080")
    if not 0 < follow_up_days <= 60:
        raise ChangeError("follow_up_days: between 0 and 60")
    old = {"name": brand.name, "sla_minutes": brand.sla_minutes,
           "follow_up_days": brand.follow_up_days}
    brand.name, brand.sla_minutes, brand.follow_up_days = name.strip(), sla_minutes, follow_up_days
    record(session, actor, "brand.update", "brand", brand.id, old=old, name=brand.name,
           sla_minutes=sla_minutes, follow_up_days=follow_up_days)


def add_channel(session: Session, actor: str, brand: Brand, *, network: str, external_id: str,
                name: str) -> Channel:
    if network not in NETWORKS:
        raise ChangeError(f"network must be one of {', '.join(NETWORKS)}")
    if not external_id.strip():
        raise ChangeError("external_id: required")
    channel = Channel(brand_id=brand.id, network=network, external_id=external_id.strip(),
                      name=name.strip())
    session.add(channel)
    session.flush()
    record(session, actor, "channel.create", "channel", channel.id, brand_id=brand.id,
           network=network, external_id=channel.external_id)
    return channel


def save_template(session: Session, actor: str, *, brand_id: int | None, kind: str, lang: str,
                  name: str, body: str) -> Template:
    """Store a reply template (checked in the care module's sandbox first)."""
    from otklik.actions import templates

    if lang not in ("ru", "en"):
        raise ChangeError("lang: ru or en")
    template = templates.save_template(session, brand_id, kind, lang, body, name or "default")
    record(session, actor, "template.save", "template", template.id, kind=kind, lang=lang,
           brand_id=brand_id)
    return template


def add_alert_channel(session: Session, actor: str, *, brand_id: int | None, kind: str,
                      config: dict[str, Any], events: list[str]) -> AlertChannel:
    if kind not in ALERT_KINDS:
        raise ChangeError(f"kind must be one of {', '.join(ALERT_KINDS)}")
    channel = AlertChannel(brand_id=brand_id, kind=kind, config=config, events=events)
    session.add(channel)
    session.flush()
    record(session, actor, "alert_channel.create", "alert_channel", channel.id, kind=kind,
           brand_id=brand_id)
    return channel
