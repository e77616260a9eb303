"""Attack detection on real posts: an IRA campaign mixed into real airline tweets, organic waves."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from otklik.analytics.attacks import (
    AttackParams,
    MentionRecord,
    detect_attacks,
    dup_text,
    near_duplicate_labels,
    own_text,
)
from otklik.analytics.coordination import co_posting_partners, retweet_sources, shared_keys

FIXTURES = Path(__file__).parent.parent / "fixtures" / "attacks"


def load(name: str, followers: bool = False) -> list[MentionRecord]:
    out = []
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        out.append(MentionRecord(
            id=d["id"], text=d["text"], author=d["author"],
            created_at=datetime.fromisoformat(d["created_at"].replace("Z", "+00:00")),
            followers=d.get("followers") if followers else None, place=d.get("place"),
        ))
    return out


def campaign_inside_organic() -> tuple[list[MentionRecord], list[MentionRecord]]:
    """The IRA burst moved (relative timing kept) into the middle of the organic day."""
    organic = load("airline_organic.jsonl")
    camp = load("ira_fergusonremembers.jsonl")
    shift = organic[len(organic) // 2].created_at - camp[0].created_at
    return organic, [replace(m, created_at=m.created_at + shift) for m in camp]


def test_real_campaign_found_with_its_posts_and_accounts() -> None:
    organic, camp = campaign_inside_organic()
    attacks = detect_attacks([*organic, *camp])
    assert len(attacks) == 1
    attack = attacks[0]
    camp_ids = {m.id for m in camp}
    found = set(attack.mention_ids)
    assert not found - camp_ids, "organic posts reported as part of the campaign"
    assert len(found & camp_ids) >= 0.8 * len(camp_ids)
    assert set(attack.authors) == {m.author for m in camp}
    assert attack.start >= min(m.created_at for m in camp)
    assert attack.end <= max(m.created_at for m in camp)
    assert 0.0 < attack.score <= 1.0
    assert "hashtag:#fergusonremembers" in attack.signals["shared"]
    assert attack.signals["repeat_account_share"] > 0.5
    assert "#fergusonremembers" in attack.summary and str(len(attack.authors)) in attack.summary
    assert attack.to_json()["start"].endswith("Z")


def test_organic_streams_give_no_attack() -> None:
    assert detect_attacks(load("airline_organic.jsonl")) == []
    assert detect_attacks([]) == []


def test_organic_complaint_wave_is_not_an_attack() -> None:
    wave = load("airline_complaint_wave.jsonl")
    # a real volume spike of negative posts: 60 complaints to one airline within an hour
    assert len(wave) == 60
    assert max(m.created_at for m in wave) - min(m.created_at for m in wave) < timedelta(hours=1)
    assert detect_attacks([*load("airline_organic.jsonl"), *wave]) == []


def test_many_accounts_quoting_one_post_is_not_an_attack() -> None:
    quotes = load("airline_fleek_quotes.jsonl")
    assert len({m.author for m in quotes}) >= 25  # 30 accounts, one text, within minutes
    assert detect_attacks(quotes) == []


def test_the_campaign_is_found_without_its_timing_too() -> None:
    """Spread over the day one post every 7 minutes, the accounts' behaviour still shows."""
    organic, camp = campaign_inside_organic()
    spread = [
        replace(m, created_at=camp[0].created_at + timedelta(minutes=7 * k))
        for k, m in enumerate(camp)
    ]
    attacks = detect_attacks([*organic, *spread])
    assert len(attacks) == 1
    assert set(attacks[0].mention_ids) <= {m.id for m in camp}


def test_thinned_campaign_found_by_its_co_posting_accounts() -> None:
    """30 of the 51 posts of a real hashtag game, 9 accounts: no text is copied and few accounts
    post at a machine-like rate, but the same accounts keep posting the tag together."""
    organic = load("airline_organic.jsonl")
    camp = load("ira_game_thinned.jsonl")
    shift = organic[len(organic) // 2].created_at - camp[0].created_at
    camp = [replace(m, created_at=m.created_at + shift) for m in camp]
    attacks = detect_attacks([*organic, *camp])
    assert len(attacks) == 1
    found, camp_ids = set(attacks[0].mention_ids), {m.id for m in camp}
    assert found <= camp_ids and len(found) >= 0.8 * len(camp_ids)
    assert attacks[0].signals["co_posting_share"] >= 0.5
    assert "(co-posting)" in attacks[0].summary
    # the same posts scored without the co-posting evidence stay under the threshold
    assert detect_attacks([*organic, *camp], AttackParams(co_partners=len(camp))) == []


def test_friends_entering_a_brand_contest_are_not_a_campaign() -> None:
    """81 real tweets of 48 fans asking Southwest for #DestinationDragons tickets over a week,
    some in pairs of friends posting together: co-posting with one partner is not a team."""
    fans = load("airline_contest_fans.jsonl")
    assert detect_attacks(fans) == []
    # cut at 3 h pauses, the fans' busiest burst needs the two-partner rule to stay organic
    assert detect_attacks(fans, AttackParams(co_partners=1, gap=timedelta(hours=3))) != []


def test_accounts_taking_turns_hours_apart_are_one_campaign() -> None:
    """Three of the six accounts post their part five hours after the others: each half alone has
    too few accounts; a pause of 5 h does not end the burst of one hashtag."""
    organic, camp = campaign_inside_organic()
    late = set(sorted({m.author for m in camp})[:3])
    turns = [replace(m, created_at=m.created_at + timedelta(hours=5)) if m.author in late else m
             for m in camp]
    attacks = detect_attacks([*organic, *turns])
    assert len(attacks) == 1
    assert set(attacks[0].mention_ids) == {m.id for m in camp}
    assert detect_attacks([*organic, *turns], AttackParams(gap=timedelta(hours=3))) == []


def test_fans_live_tweeting_an_event_are_not_a_campaign() -> None:
    """The week of #DestinationDragons tweets (48 real accounts, several posting again and again)
    squeezed into one hour, as fans live-tweeting a brand's event would post."""
    fans = sorted(load("airline_contest_fans.jsonl"), key=lambda m: m.created_at)
    t0, span = fans[0].created_at, fans[-1].created_at - fans[0].created_at
    live = [replace(m, created_at=t0 + (m.created_at - t0) * (timedelta(hours=1) / span))
            for m in fans]
    assert detect_attacks(live) == []


def test_co_posting_partners_need_repeated_shared_posts() -> None:
    t = np.array([0.0, 60, 120, 180, 240, 300, 10_000], dtype=np.float64)
    au = np.array([0, 1, 0, 1, 2, 3, 2])
    # accounts 0 and 1 share the tag twice each within the hour; 2 and 3 once; 2 again hours later
    groups = {("hashtag", "#x"): list(range(7))}
    partners = co_posting_partners(groups, t, au, co_seconds=3600, co_posts=2)
    assert partners == {0: {1}, 1: {0}}
    assert co_posting_partners(groups, t, au, co_seconds=3600, co_posts=3) == {}


def test_retweet_sources_are_shared_keys() -> None:
    assert retweet_sources("RT @mitchellvii: Dear #BlackLivesMatter ... RT @b: x") == [
        "b", "mitchellvii"]
    assert retweet_sources("my flight was late @united") == []
    labels = np.array([-1])
    groups = shared_keys([("", ["blacklivesmatter"], [], ["mitchellvii"])], labels, au=labels)
    assert set(groups) == {("hashtag", "#blacklivesmatter"), ("retweet", "@mitchellvii")}


def test_fewer_accounts_than_the_minimum_is_not_a_campaign() -> None:
    organic, camp = campaign_inside_organic()
    strict = AttackParams(min_accounts=len({m.author for m in camp}) + 1)
    assert detect_attacks([*organic, *camp], strict) == []


def test_own_text_drops_retweeted_and_quoted_words() -> None:
    assert own_text("nope. RT @JetBlue: Our fleet's on fleek. http://t.co/x").strip() == "nope."
    assert own_text('LMAO \u201c@JetBlue: Our fleet\'s on fleek. http://t.co/a\u201d').strip() == (
        "LMAO"
    )
    assert own_text("my bag is lost @united") == "my bag is lost @united"


def test_near_duplicates_ignore_links_handles_tags_and_small_edits() -> None:
    texts = [
        "Altanta doctors deny to cure Ebola infected black woman. http://t.co/DzShnDIb1D",
        "@cnn Altanta doctors deny to cure Ebola infected black woman!! http://t.co/other",
        "Atlanta doctors deny to cure Ebola infected black woman #EbolaInAtlanta",
        "My flight to Dallas was cancelled and nobody at the desk will rebook me",
        "short",
    ]
    labels = near_duplicate_labels([dup_text(own_text(t)) for t in texts], AttackParams())
    assert labels[0] == labels[1] == labels[2]
    assert labels[3] != labels[0]
    assert labels[4] == -1


# --- storing: otklik.actions.attacks on both stores -------------------------------------------

def _ingest(store, records: list[MentionRecord], brand_id: int) -> None:
    from otklik.actions.unit import transaction
    from otklik.domain.posts import Author as AuthorRef
    from otklik.domain.posts import Place as PlaceRef
    from otklik.domain.posts import Post
    from otklik.flow.pipeline import ingest

    def match(items) -> None:
        for item in items:
            item.brand_matches = {brand_id: []}

    posts = [
        Post(network="x", external_id=m.id, text=m.text, created_at=m.created_at,
             author=AuthorRef(external_id=m.author, handle=m.author),
             place=PlaceRef(external_id=m.place) if m.place else None)
        for m in records
    ]
    with transaction(store.sessions) as s:
        ingest(s, posts, enrichers=[match])


def test_attacks_are_stored_once_and_grow(store) -> None:
    from sqlalchemy import func, select

    from otklik.actions.attacks import refresh_attacks
    from otklik.actions.unit import transaction
    from otklik.db.models import Attack as AttackRow
    from otklik.db.models import AuditEvent, Brand, Mention

    organic, camp = campaign_inside_organic()
    with transaction(store.sessions) as s:
        brand = Brand(slug="airline", name="Airline")
        s.add(brand)
        s.flush()
        brand_id = brand.id
    _ingest(store, [*organic, *camp[:-6]], brand_id)
    now = max(m.created_at for m in [*organic, *camp]) + timedelta(hours=1)
    with transaction(store.sessions) as s:
        first = refresh_attacks(s, brand_id, now=now)
    with transaction(store.sessions) as s:
        again = refresh_attacks(s, brand_id, now=now)
    assert len(first.created) == 1 and again.created == [] and again.updated == []
    _ingest(store, camp[-6:], brand_id)  # the campaign goes on
    with transaction(store.sessions) as s:
        grown = refresh_attacks(s, brand_id, now=now)
    assert grown.created == [] and grown.updated == first.created
    with transaction(store.sessions) as s:
        row = s.scalars(select(AttackRow)).one()
        stored = set(s.scalars(select(Mention.external_id).where(
            Mention.id.in_(row.mention_ids))))
        assert stored <= {m.id for m in camp} and len(stored) >= 0.8 * len(camp)
        assert len(row.authors) == 6 and row.summary and row.signals["accounts"] == 6
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "attack.detected")) == 1


def test_the_desk_names_the_brands_own_accounts_to_the_detector(store, monkeypatch) -> None:
    """Customers replying to the brand's own accounts are never read as a smear's targets."""
    from otklik.actions import attacks as desk
    from otklik.actions.unit import transaction
    from otklik.db.models import Brand, Channel

    with transaction(store.sessions) as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)
        s.flush()
        for network, external_id, name in (("x", "Zerno_Coffee", "Zerno Coffee"),
                                           ("telegram", "@zerno_bot", "Зерно"),
                                           ("reddit", "u/zerno_team", "zerno_team")):
            s.add(Channel(brand_id=brand.id, network=network, external_id=external_id,
                          name=name))
        brand_id = brand.id
    seen: list[AttackParams | None] = []
    monkeypatch.setattr(desk, "detect_attacks", lambda recs, p: seen.append(p) or [])
    with transaction(store.sessions) as s:
        assert desk.own_handles(s, brand_id) == {"zerno_coffee", "zerno_bot", "зерно",
                                                 "zerno_team"}
        desk.refresh_attacks(s, brand_id, params=AttackParams(own_accounts=frozenset({"a"})))
    assert seen[0] is not None and {"a", "zerno_coffee", "zerno_bot"} <= seen[0].own_accounts
