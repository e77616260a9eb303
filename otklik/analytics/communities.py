"""Communities and opponents: each place's stance toward a brand, and groups of hostile authors.

Stance is estimated, not counted: a place with 3 negative posts out of 3 is not "100% hostile".
Each place's share of negative (and positive) posts gets a Beta prior centred on the brand's
overall share with the weight of `prior_strength` posts (empirical Bayes), and a place is called
hostile only when the posterior probability that most of its posts are negative is high. The same
smoothing picks the opponents: authors whose hostility repeats over several days and several
topics (a wave of customers complaining about one outage, however loudly, is not a group of
opponents). Opponents are linked when they reply to each other, post in the same places (not the
brand's own pages, where customers come to complain), or post near-identical texts, and a link
counts only when it was seen on more than one day; Louvain communities (fixed seed, so a rerun
gives the same groups) of that graph are the groups.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import networkx as nx
from scipy.stats import beta

from otklik.analytics.attacks import AttackParams, dup_text, near_duplicate_labels, own_text

OFFICIAL, NEUTRAL, HOSTILE, FRIENDLY = (
    "official", "unofficial-neutral", "unofficial-hostile", "unofficial-friendly",
)


@dataclass(frozen=True, slots=True)
class StancePost:
    """A brand mention as community analytics sees it."""

    id: str
    author: str
    created_at: datetime
    sentiment: str | None  # toward the brand: negative, neutral, positive (None = unknown)
    place: str | None = None
    text: str = ""
    reply_to_author: str | None = None  # author of the post this one answers


@dataclass(frozen=True, slots=True)
class PlaceInfo:
    name: str | None = None
    audience: int | None = None
    official: bool = False


@dataclass(frozen=True)
class CommunityParams:
    prior_strength: float = 10.0  # a place's prior weighs as much as this many posts
    author_prior_strength: float = 3.0  # an author posts less: a lighter prior
    majority: float = 0.5  # "hostile" = most posts negative ...
    confidence: float = 0.8  # ... with at least this posterior probability
    flag_audience: int = 1000  # hostile places this large (or ...)
    flag_volume: int = 20  # ... with this many mentions) are flagged for the team
    period: timedelta = timedelta(days=7)  # growth compares the last period with the one before
    opponent_min_negative: int = 2  # an opponent posted negatively at least this often ...
    # ... on this many different days about this many topics (a wave counts as one day and one
    # topic): customers caught in one outage complain again and again about it; an opponent keeps
    # at the brand, week after week, about whatever comes up
    opponent_min_days: int = 3
    opponent_min_topics: int = 2
    link_min_days: int = 2  # two opponents act together on this many different days
    min_group: int = 2
    louvain_seed: int = 7
    louvain_resolution: float = 1.0


@dataclass
class PlaceStance:
    place: str
    name: str | None
    stance: str
    stance_score: float  # E[positive share] - E[negative share], smoothed, in [-1, 1]
    negative_share: float  # smoothed (posterior mean)
    p_hostile: float  # posterior P(negative share > majority)
    volume: int
    negative: int
    positive: int
    growth: float | None  # (last period - previous) / previous; None without a previous period
    audience: int | None
    flagged: bool
    trend: list[dict[str, Any]] = field(default_factory=list)  # per period: volume, neg share
    complaints: bool = False  # an official place where most posts are negative: customers' desk


@dataclass
class OpponentGroup:
    key: str
    members: list[str]
    places: list[str]
    typical_texts: list[str]
    stance: str
    negative_share: float
    posts: int
    links: dict[str, int]  # edges inside the group by kind: reply, place, text
    days: int = 0  # different days the members were hostile on (a wave counts as one) ...
    topics: int = 0  # ... about this many different topics
    campaign: bool = False  # every member is an account of a detected campaign


def _posterior(
    k: int, n: int, prior_mean: float, p: CommunityParams, strength: float | None = None
) -> tuple[float, float]:
    """Posterior mean of a share and P(share > majority) under a Beta prior around prior_mean."""
    m = min(max(prior_mean, 0.02), 0.98)
    w = p.prior_strength if strength is None else strength
    a, b = m * w + k, (1 - m) * w + (n - k)
    return a / (a + b), float(beta.sf(p.majority, a, b))


def _shares(posts: Iterable[StancePost]) -> tuple[float, float]:
    labelled = [x.sentiment for x in posts if x.sentiment]
    if not labelled:
        return 0.0, 0.0
    c = Counter(labelled)
    return c["negative"] / len(labelled), c["positive"] / len(labelled)


def place_stances(
    posts: Sequence[StancePost], places: Mapping[str, PlaceInfo], now: datetime,
    params: CommunityParams | None = None,
) -> list[PlaceStance]:
    """Each place's smoothed stance, volume, growth and trend; largest first."""
    p = params or CommunityParams()
    neg0, pos0 = _shares(posts)
    by_place: dict[str, list[StancePost]] = defaultdict(list)
    for x in posts:
        if x.place:
            by_place[x.place].append(x)
    out = []
    for key, items in by_place.items():
        info = places.get(key, PlaceInfo())
        labelled = [x for x in items if x.sentiment]
        n = len(labelled)
        k_neg = sum(x.sentiment == "negative" for x in labelled)
        k_pos = sum(x.sentiment == "positive" for x in labelled)
        neg, p_hostile = _posterior(k_neg, n, neg0, p)
        pos, p_friendly = _posterior(k_pos, n, pos0, p)
        if info.official:
            stance = OFFICIAL
        elif p_hostile >= p.confidence:
            stance = HOSTILE
        elif p_friendly >= p.confidence:
            stance = FRIENDLY
        else:
            stance = NEUTRAL
        big = (info.audience or 0) >= p.flag_audience or len(items) >= p.flag_volume
        out.append(PlaceStance(
            place=key, name=info.name, stance=stance, stance_score=round(pos - neg, 4),
            negative_share=round(neg, 4), p_hostile=round(p_hostile, 4), volume=len(items),
            negative=k_neg, positive=k_pos, growth=_growth(items, now, p.period),
            audience=info.audience, flagged=stance == HOSTILE and big,
            trend=_trend(items, now, p, neg0),
            complaints=info.official and p_hostile >= p.confidence,
        ))
    out.sort(key=lambda s: (-s.volume, s.place))
    return out


def _growth(items: Sequence[StancePost], now: datetime, period: timedelta) -> float | None:
    last = sum(now - period < x.created_at <= now for x in items)
    prev = sum(now - 2 * period < x.created_at <= now - period for x in items)
    return None if prev == 0 else round((last - prev) / prev, 4)


def _trend(
    items: Sequence[StancePost], now: datetime, p: CommunityParams, neg0: float, periods: int = 8
) -> list[dict[str, Any]]:
    """Volume and smoothed negative share per period, oldest first (the last `periods`)."""
    rows = []
    for i in range(periods - 1, -1, -1):
        hi, lo = now - i * p.period, now - (i + 1) * p.period
        part = [x for x in items if lo < x.created_at <= hi]
        labelled = [x for x in part if x.sentiment]
        k = sum(x.sentiment == "negative" for x in labelled)
        mean, _ = _posterior(k, len(labelled), neg0, p)
        rows.append({"end": hi.isoformat(), "volume": len(part), "negative_share": round(mean, 4)})
    return rows


Wave = tuple[datetime, datetime]  # a window of complaints about one thing: a spike, an incident


def _wave_of(moment: datetime, waves: Sequence[Wave]) -> int | None:
    return next((i for i, (lo, hi) in enumerate(waves) if lo <= moment <= hi), None)


def _text_labels(posts: Sequence[StancePost], attack_params: AttackParams | None) -> list[int]:
    """A near-duplicate label per post: posts with one label say the same thing."""
    return list(near_duplicate_labels(
        [dup_text(own_text(x.text)) for x in posts], attack_params or AttackParams()
    ).tolist())


def opponents(
    posts: Sequence[StancePost], params: CommunityParams | None = None,
    campaign_authors: frozenset[str] = frozenset(), waves: Sequence[Wave] = (),
) -> dict[str, dict[str, Any]]:
    """Authors whose hostility repeats over time: mostly negative, on several days, about several
    topics. A wave (`waves`: a spike's or an incident's window) counts as one day and one topic,
    so customers complaining through one outage are not opponents, however often they post. An
    account of a detected campaign (`campaign_authors`, from the attack detector, which tells an
    organic wave from a coordinated one) needs neither."""
    p = params or CommunityParams()
    neg0, _ = _shares(posts)
    by_author: dict[str, list[StancePost]] = defaultdict(list)
    for x in posts:
        by_author[x.author].append(x)
    count = Counter(x.author for x in posts if x.sentiment == "negative")
    negative = [x for x in posts
                if x.sentiment == "negative" and count[x.author] >= p.opponent_min_negative]
    topic_of = dict(zip((x.id for x in negative), _text_labels(negative, None), strict=True))
    out = {}
    for author, items in by_author.items():
        labelled = [x for x in items if x.sentiment]
        mine = [x for x in labelled if x.sentiment == "negative"]
        k = len(mine)
        if k < p.opponent_min_negative:
            continue
        days, topics = set(), set()
        for x in mine:
            wave = _wave_of(x.created_at, waves)
            label = topic_of[x.id]
            days.add(f"wave{wave}" if wave is not None else x.created_at.date().isoformat())
            topics.add(f"wave{wave}" if wave is not None else
                       f"text{label}" if label >= 0 else f"post{x.id}")
        if author not in campaign_authors and (
                len(days) < p.opponent_min_days or len(topics) < p.opponent_min_topics):
            continue
        share, _ = _posterior(k, len(labelled), neg0, p, p.author_prior_strength)
        if share > p.majority:
            out[author] = {"negative": k, "posts": len(items), "negative_share": round(share, 4),
                           "days": sorted(days), "topics": sorted(topics)}
    return out


def interaction_graph(
    posts: Sequence[StancePost], authors: set[str], attack_params: AttackParams | None = None,
    max_place_members: int = 200, own_places: frozenset[str] = frozenset(),
    waves: Sequence[Wave] = (), campaign_authors: frozenset[str] = frozenset(),
) -> nx.Graph:
    """Authors linked by replies, shared places (Jaccard-weighted) and near-identical texts; each
    link keeps the days it was seen on (`days`). The brand's own pages link no one: customers
    come there to complain, together or not; nor do posts of a wave, which all say the same
    (unless a detected campaign wrote them)."""
    g = nx.Graph()
    g.add_nodes_from(sorted(authors))
    mine = [x for x in posts if x.author in authors and (
        x.author in campaign_authors or _wave_of(x.created_at, waves) is None)]

    def link(a: str, b: str, kind: str, w: float, days: Iterable[date]) -> None:
        if a == b:
            return
        data = g.get_edge_data(a, b) or {"weight": 0.0, "reply": 0, "place": 0, "text": 0,
                                         "days": set()}
        data["weight"] += w
        data[kind] += 1
        data["days"].update(days)
        g.add_edge(a, b, **data)

    for x in mine:
        if x.reply_to_author in authors:
            link(x.author, str(x.reply_to_author), "reply", 1.0, [x.created_at.date()])
    crowd: dict[str, set[str]] = defaultdict(set)  # place -> everyone who posts there
    for x in posts:
        if x.place and x.place not in own_places:
            crowd[x.place].add(x.author)
    # everyone posts on a big public page: that links no one in particular
    meeting = {pl for pl, everyone in crowd.items() if len(everyone) <= max_place_members}
    _link_together(mine, lambda x: x.place if x.place in meeting else None, "place", link)
    labels = dict(zip((x.id for x in mine), _text_labels(mine, attack_params), strict=True))
    _link_together(mine, lambda x: labels[x.id] if labels[x.id] >= 0 else None, "text", link)
    return g


def _link_together(
    posts: Sequence[StancePost], key: Callable[[StancePost], object], kind: str,
    link: Callable[[str, str, str, float, Iterable[date]], None],
) -> None:
    """Link the authors who share a key (a place, a text): Jaccard-weighted for places, once per
    shared text; the link's days are the days either posted under that key once both had."""
    days: dict[object, dict[str, set[date]]] = defaultdict(lambda: defaultdict(set))
    for x in posts:
        k = key(x)
        if k is not None:
            days[k][x.author].add(x.created_at.date())
    keys_of: dict[str, set[object]] = defaultdict(set)
    for k, by_author in days.items():
        for a in by_author:
            keys_of[a].add(k)
    for by_author in days.values():
        ms = sorted(by_author)
        for i, a in enumerate(ms):
            for b in ms[i + 1:]:
                w = 1.0 / len(keys_of[a] | keys_of[b]) if kind == "place" else 1.0
                both = max(min(by_author[a]), min(by_author[b]))
                link(a, b, kind, w, {d for d in by_author[a] | by_author[b] if d >= both})


def opponent_groups(
    posts: Sequence[StancePost], params: CommunityParams | None = None,
    own_places: frozenset[str] = frozenset(), campaign_authors: frozenset[str] = frozenset(),
    waves: Sequence[Wave] = (),
) -> list[OpponentGroup]:
    """Groups of opponents acting together again and again (Louvain over the links seen on
    several days; a detected campaign's accounts need one), largest first."""
    p = params or CommunityParams()
    hostile = opponents(posts, p, campaign_authors, waves)
    g = interaction_graph(posts, set(hostile), own_places=own_places, waves=waves,
                          campaign_authors=campaign_authors)
    g.remove_edges_from([
        (a, b) for a, b, d in g.edges(data=True) if len(d["days"]) < p.link_min_days
        and not (a in campaign_authors and b in campaign_authors)
    ])
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    if g.number_of_edges() == 0:
        return []
    parts = nx.community.louvain_communities(
        g, weight="weight", resolution=p.louvain_resolution, seed=p.louvain_seed
    )
    groups = []
    for part in parts:
        members = sorted(part)
        if len(members) < p.min_group:
            continue
        mine = [x for x in posts if x.author in part]
        sub = g.subgraph(members)
        links = {k: sum(d[k] for _, _, d in sub.edges(data=True)) for k in ("reply", "place",
                                                                             "text")}
        neg = [x for x in mine if x.sentiment == "negative"]
        texts = Counter(dup_text(own_text(x.text)) for x in neg if x.text)
        typical = []
        for norm, _ in texts.most_common(3):
            typical.append(next(x.text for x in neg if dup_text(own_text(x.text)) == norm))
        place_counts = Counter(x.place for x in mine if x.place)
        k = sum(hostile[a]["negative"] for a in members)
        share = k / max(1, sum(1 for x in mine if x.sentiment))
        digest = hashlib.sha1("\n".join(members).encode()).hexdigest()[:12]
        groups.append(OpponentGroup(
            key=f"grp-{digest}", members=members,
            places=[pl for pl, _ in place_counts.most_common(10)], typical_texts=typical,
            stance=HOSTILE if share > p.majority else NEUTRAL, negative_share=round(share, 4),
            posts=len(mine), links=links,
            days=len({d for a in members for d in hostile[a]["days"]}),
            topics=len({t for a in members for t in hostile[a]["topics"]}),
            campaign=set(members) <= campaign_authors,
        ))
    groups.sort(key=lambda grp: (-len(grp.members), grp.key))
    return groups
