"""Personal-data requests (GDPR art. 17, 152-FZ art. 21): forgetting an author, and finding
what the store holds about one (shared with `otklik.actions.person_export`).

Forgetting pseudonymises, it deletes nothing: the author's profile, their private messages (both
ways) and the copies of their identifying values elsewhere are replaced, while their public
mentions keep their text and link — the public record of what was said about the brand. The
audit log is append-only and holds no profile values, so it is only added to: the request, who
executed it and what was replaced, never the replaced values.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.db.models import (
    Action,
    AlertOutbox,
    Attack,
    Author,
    Case,
    Community,
    DeadLetter,
    Mention,
    MentionVersion,
    SandboxMessage,
    SentimentCorrection,
    Spike,
    User,
)
from otklik.domain.persons import (
    ERASED_TEXT,
    is_pseudonym,
    mentions_any,
    parse_author,
    pseudonym,
    replace_words,
    scrub,
)

CHUNK = 500  # ids per IN (...) list: SQLite caps the parameters of one statement


class UnknownAuthor(LookupError):
    """No author by that name in the store: a clear message, exit 2 / HTTP 404."""


def find_author(session: Session, name: str, secret_key: str) -> Author:
    """The author named `42` (store id) or `vk:12345`; a forgotten one is found by the
    pseudonym its network id has under this installation's key. An account that posted again
    after being forgotten has a new row, which is found first."""
    ref = parse_author(name)
    if ref.store_id is not None:
        author = session.get(Author, ref.store_id)
    else:
        assert ref.network is not None and ref.external_id is not None
        alias = pseudonym(secret_key, ref.network, ref.external_id)
        author = session.scalars(select(Author).where(
            Author.network == ref.network,
            or_(Author.external_id.in_([ref.external_id, alias]),
                Author.external_id.startswith(f"{alias}."))
        ).order_by((Author.external_id == ref.external_id).desc(), Author.id)).first()
    if author is None:
        raise UnknownAuthor(f"no author {name.strip()!r} in the store (name one as NETWORK:ID, "
                            "e.g. vk:12345, or by its store id)")
    return author


def actor_of(session: Session, email: str | None, default: str) -> str:
    """Who executes a request for the audit: a desk user's e-mail (checked), else `default`."""
    if email is None:
        return default
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise UnknownAuthor(f"--by {email!r}: no desk user with that e-mail")
    return user.email


def chunks(ids: Sequence[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


@dataclass
class Footprint:
    """Every row that is about one author (the analytics copies are looked up separately)."""

    author: Author
    mentions: list[Mention] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    sandbox: list[SandboxMessage] = field(default_factory=list)

    @property
    def private(self) -> list[Mention]:
        """What they wrote to the brand in private (a network's direct-message place)."""
        return [m for m in self.mentions if m.place is not None and m.place.kind == "private"]


def footprint(session: Session, author: Author) -> Footprint:
    found = Footprint(author)
    found.mentions = list(session.scalars(
        select(Mention).where(Mention.author_id == author.id).order_by(Mention.id)).unique())
    found.cases = list(session.scalars(
        select(Case).where(Case.author_id == author.id).order_by(Case.id)))
    for ids in chunks([c.id for c in found.cases]):
        found.actions += session.scalars(
            select(Action).where(Action.case_id.in_(ids)).order_by(Action.id))
    dialog = and_(SandboxMessage.thread_external_id.startswith("dm:"),
                  SandboxMessage.thread_external_id.endswith(f":{author.external_id}",
                                                             autoescape=True))
    found.sandbox = list(session.scalars(select(SandboxMessage).where(
        SandboxMessage.network == author.network,
        or_(SandboxMessage.author_external_id == author.external_id, dialog),
    ).order_by(SandboxMessage.id)))
    return found


def identifying(author: Author) -> dict[str, str]:
    """Each identifying value of the author → what stands for it once forgotten (filled in by
    `forget_person`); keys of communities and attacks are `network:external_id`."""
    if is_pseudonym(author.external_id):
        return {}  # forgotten already
    values = {author.external_id, author.handle, author.name, author.url,
              f"{author.network}:{author.external_id}"}
    return {v: "" for v in values if v and not is_pseudonym(v)}


def analytics_about(session: Session, author: Author) -> dict[str, list[Any]]:
    """Communities, attacks, spikes and alerts that name the author (derived copies)."""
    key = f"{author.network}:{author.external_id}"
    values = identifying(author) or {author.external_id: "", key: ""}
    case_ids = list(session.scalars(select(Case.id).where(Case.author_id == author.id)))
    alerts: list[AlertOutbox] = []
    for ids in chunks(case_ids):
        alerts += session.scalars(select(AlertOutbox).where(
            AlertOutbox.event["case_id"].as_integer().in_(ids)).order_by(AlertOutbox.id))
    return {
        "communities": [c for c in session.scalars(select(Community).where(
            Community.kind == "author_group").order_by(Community.id))
            if key in ((c.details or {}).get("members") or [])],
        "attacks": [a for a in session.scalars(select(Attack).order_by(Attack.id))
                    if key in (a.authors or [])],
        "spikes": [s for s in session.scalars(select(Spike).order_by(Spike.id))
                   if mentions_any(s.explanation, values)],
        "alerts": alerts,
    }


@dataclass
class Forgotten:
    author_id: int
    pseudonym: str
    replaced: dict[str, int]  # what kind of row → how many were changed


def forget_person(session: Session, name: str, *, secret_key: str, actor: str) -> Forgotten:
    """Pseudonymise the author named `name` and their private conversations; committed, and
    audited without the replaced values. Forgetting again changes nothing more."""
    author = find_author(session, name, secret_key)
    already = is_pseudonym(author.external_id)
    alias = author.external_id if already else pseudonym(
        secret_key, author.network, author.external_id)
    if not already and session.scalar(select(Author.id).where(
            Author.network == author.network, Author.external_id == alias)) is not None:
        alias = f"{alias}.{author.id}"  # the account posted again after it was forgotten
    swap = {value: alias for value in identifying(author)}  # empty when forgotten already
    if swap:
        swap[f"{author.network}:{author.external_id}"] = f"{author.network}:{alias}"
    ids = {} if already else {author.external_id: alias}
    found = footprint(session, author)
    about = analytics_about(session, author)
    counts: dict[str, int] = {}

    def count(kind: str, changed: bool = True) -> None:
        if changed:
            counts[kind] = counts.get(kind, 0) + 1

    count("author", not already)
    author.external_id, author.handle, author.name = alias, alias, alias
    author.url, author.followers, author.created_at = None, None, None
    _forget_mentions(session, found, swap, ids, count)
    for case in found.cases:
        count("case", case.customer_name is not None)
        case.customer_name = None
    for action in found.actions:
        target = scrub(action.target, swap)
        private = action.kind == "private_message"
        if target != action.target or (private and action.text != ERASED_TEXT):
            count("action")
        action.target = target
        if private:
            action.text = ERASED_TEXT
            action.external_id = replace_words(action.external_id or "", ids) or None
    for msg in found.sandbox:
        count("sandbox_message", msg.author_external_id in swap or msg.author_name in swap
              or bool(ids) or (msg.kind == "private" and msg.text != ERASED_TEXT))
        msg.author_external_id = swap.get(msg.author_external_id, msg.author_external_id)
        msg.author_name = swap.get(msg.author_name or "", msg.author_name)
        msg.thread_external_id = replace_words(msg.thread_external_id or "", ids) or None
        msg.place_external_id = replace_words(msg.place_external_id or "", ids) or None
        if msg.kind == "private":
            msg.text = ERASED_TEXT
    _forget_copies(session, about, swap, count)
    record(session, actor, "person.forget", "author", author.id, network=author.network,
           pseudonym=alias, replaced=counts)
    session.commit()
    return Forgotten(author.id, alias, counts)


def _forget_mentions(session: Session, found: Footprint, swap: dict[str, str],
                     ids: dict[str, str], count: Any) -> None:
    """Public mentions keep text and link (their raw payload loses the profile values); private
    ones lose their text, versions and payload, and their place its name."""
    private = {m.id for m in found.private}
    for mention in found.mentions:
        raw = {"forgotten": True} if mention.id in private else scrub(mention.raw, swap)
        count("mention", raw != mention.raw or mention.customer_name is not None
              or (mention.id in private and mention.text != ERASED_TEXT))
        mention.raw, mention.customer_name = raw, None
        if mention.id not in private:
            continue
        mention.text, mention.url = ERASED_TEXT, None
        mention.external_id = replace_words(mention.external_id, ids)
        place = mention.place
        if place is not None:
            place.external_id = replace_words(place.external_id, ids)
            place.name = replace_words(place.name, swap) if place.name else None
            place.url = None
    for chunk in chunks(sorted(private)):
        for version in session.scalars(select(MentionVersion).where(
                MentionVersion.mention_id.in_(chunk))):
            version.text, version.raw = ERASED_TEXT, {"forgotten": True}
        for fix in session.scalars(select(SentimentCorrection).where(
                SentimentCorrection.mention_id.in_(chunk))):
            fix.text = ERASED_TEXT


def _forget_copies(session: Session, about: dict[str, list[Any]], swap: dict[str, str],
                   count: Any) -> None:
    """The author's values in analytics, alerts and dead letters (a replayed letter then stores
    its post under the pseudonymised author, not a new copy of the profile)."""
    for community in about["communities"]:
        details, name = scrub(community.details, swap), replace_words(community.name, swap)
        count("community", (details, name) != (community.details, community.name))
        community.details, community.name = details, name
    for attack in about["attacks"]:
        authors, summary = scrub(attack.authors, swap), replace_words(attack.summary, swap)
        count("attack", (authors, summary) != (attack.authors, attack.summary))
        attack.authors, attack.summary = authors, summary
    for spike in about["spikes"]:
        explanation = scrub(spike.explanation, swap)
        count("spike", explanation != spike.explanation)
        spike.explanation = explanation
    for alert in about["alerts"]:
        event = dict(alert.event)
        event["summary"] = replace_words(str(event.get("summary") or ""), swap)
        count("alert", event != alert.event)
        alert.event = event
    for letter in session.scalars(select(DeadLetter)):
        args = scrub(letter.args, swap)
        count("dead_letter", args != letter.args)
        letter.args = args
