"""A spike told in sentences (the `wording` catalogue's words), from the explanation
`explain_spike` stores.

YouScan and Brand Analytics explain a spike in a headline and a few lines: how many mentions
against how many usually, what people say (the distinctive words), where, who, and examples.
Pure: the stored explanation, the spike's figures and name lookups in, text and chips out; the
page (`spike.html`) lays them out and `otklik.web.spike_view` reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from otklik.wording import words
from otklik.wording.catalogues import say


@dataclass
class Named:
    """An author or place with its readable name and, when known, where to see its posts."""

    label: str
    count: int
    before: int = 0
    href: str = ""


@dataclass
class Example:
    text: str
    author: str
    when: str
    url: str = ""
    case_href: str = ""


@dataclass
class Cluster:
    size: int
    share: str
    first: str
    example: Example


@dataclass
class Story:
    headline: str
    sentences: list[str] = field(default_factory=list)
    chips: list[tuple[str, int]] = field(default_factory=list)
    places: list[Named] = field(default_factory=list)
    authors: list[Named] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)


def mentions_n(n: int, lang: str) -> str:
    """ "190 упоминаний" / "190 mentions"."""
    return say("mentions_count", lang, n=n)


def _quote(text: str, lang: str) -> str:
    return say("quoted", lang, text=text)


def rows_of(value: Any) -> list[dict[str, Any]]:
    """A stored list of rows; a bare string (an older or hand-made explanation) is a term."""
    if not isinstance(value, list):
        return []
    return [r if isinstance(r, dict) else {"term": str(r), "key": str(r)} for r in value]


def top_terms(ex: dict[str, Any], limit: int = 6) -> list[tuple[str, int]]:
    """The spike's distinctive phrases and words with their counts, without repeats: phrases
    first ("оплата картой"), then single words by lemma (shown in their usual form); a word
    already inside a chosen phrase is skipped, as is a phrase sharing a word with one chosen."""
    terms = rows_of(ex.get("terms"))
    phrases = [r for r in terms if len(str(r.get("term", "")).split()) > 1]
    singles = [{"term": r.get("form") or r.get("term"), "during": r.get("during"),
                "z": r.get("z")} for r in rows_of(ex.get("lemmas"))]
    if not singles:
        singles = [r for r in terms if len(str(r.get("term", "")).split()) == 1]
    chosen: list[tuple[str, int]] = []
    used: set[str] = set()
    for row in [*phrases[:2], *singles]:
        term = str(row.get("term") or "").strip()
        parts = {w[:5] for w in term.lower().split()}  # a crude stem: картой ~ карта
        if not term or parts & used:
            continue
        chosen.append((term, int(row.get("during") or 0)))
        used |= parts
        if len(chosen) >= limit:
            break
    return chosen


def ratio_words(volume: int, expected: float, lang: str) -> str:
    """ "в 7 раз больше обычного" / "7 times the usual"; small rises as a percent."""
    if expected <= 0:
        return say("spike_usual_none", lang)
    ratio = volume / expected
    if ratio >= 1.95:
        return say("spike_times_usual", lang, n=round(ratio))
    return say("spike_percent_above", lang, pct=words.percent(ratio - 1, lang))


def _example(post: dict[str, Any], lang: str, tz: tzinfo, names: dict[str, str],
             cases: dict[int, int]) -> Example:
    author = str(post.get("author") or "")
    created = post.get("created_at")
    at = datetime.fromisoformat(created) if isinstance(created, str) else created
    ident = post.get("id")
    case_id = cases.get(ident) if isinstance(ident, int) else None
    return Example(
        text=str(post.get("text") or "").strip(), author=names.get(author, author),
        when=words.when(at, lang, tz) if isinstance(at, datetime) else "",
        url=str(post.get("url") or ""), case_href=f"/cases/{case_id}" if case_id else "")


def tell(spike: Any, ex: dict[str, Any], *, brand: str, lang: str, tz: tzinfo,
         author_names: dict[str, str] | None = None, author_links: dict[str, str] | None = None,
         place_links: dict[str, str] | None = None, cases: dict[int, int] | None = None,
         ) -> Story:
    """The story of one spike: `spike` has volume, expected, start, end, series."""
    names, cases = author_names or {}, cases or {}
    volume, expected = int(spike.volume or 0), float(spike.expected or 0.0)
    negative = getattr(spike, "series", "all") == "negative"
    span = ""
    if spike.start is not None and spike.end is not None:
        minutes = (spike.end - spike.start).total_seconds() / 60
        span = say("spike_span", lang, duration=words.duration(minutes, lang))
    headline = say("spike_headline_negative" if negative else "spike_headline", lang,
                   brand=brand, volume=words.number(volume, lang), span=span,
                   ratio=ratio_words(volume, expected, lang))
    story = Story(headline=headline)
    story.sentences.append(say("spike_began", lang, when=words.when(spike.start, lang, tz),
                               usual=mentions_n(round(expected), lang)))
    share = ex.get("negative_share")
    neg: dict[str, Any] = share if isinstance(share, dict) else {}
    if neg.get("during") is not None:
        before, during = neg.get("baseline"), words.percent(neg["during"], lang)
        story.sentences.append(
            say("spike_negative_shift", lang, before=words.percent(before, lang), during=during)
            if before is not None else say("spike_negative_during", lang, during=during))
    located = ex.get("location")
    if isinstance(located, dict) and located.get("name"):
        story.sentences.append(say(
            "spike_location", lang, part=words.percent(located.get("share"), lang),
            name=located["name"], count=mentions_n(int(located.get("count") or 0), lang)))
    story.chips = top_terms(ex)
    if story.chips:
        listed = ", ".join(_quote(t, lang) for t, _ in story.chips[:3])
        story.sentences.append(say("spike_terms", lang, terms=listed))
    tags = [f"#{r['term']}" for r in rows_of(ex.get("hashtags"))[:3] if r.get("term")]
    if tags:
        story.sentences.append(say("spike_hashtags", lang, tags=", ".join(tags)))
    links = place_links or {}
    story.places = [Named(str(r["key"]), int(r.get("during") or 0), int(r.get("baseline") or 0),
                          links.get(str(r["key"]), "")) for r in rows_of(ex.get("places"))[:5]]
    if story.places:
        p = story.places[0]
        story.sentences.append(say("spike_top_place", lang, place=p.label,
                                   count=mentions_n(p.count, lang),
                                   before=words.number(p.before, lang)))
    alinks = author_links or {}
    story.authors = [Named(names.get(str(r["key"]), str(r["key"])), int(r.get("during") or 0),
                           int(r.get("baseline") or 0), alinks.get(str(r["key"]), ""))
                     for r in rows_of(ex.get("authors"))[:8]]
    clusters = rows_of(ex.get("clusters"))
    if clusters:
        biggest = int(clusters[0].get("size") or 0)
        story.sentences.append(say("spike_clusters", lang,
                                   groups=say("groups_count", lang, n=len(clusters)),
                                   count=mentions_n(biggest, lang)))
    for c in clusters[:6]:
        first = c.get("first")
        at = datetime.fromisoformat(first) if isinstance(first, str) else first
        story.clusters.append(Cluster(
            size=int(c.get("size") or 0), share=words.percent(c.get("share"), lang),
            first=words.when(at, lang, tz) if isinstance(at, datetime) else "",
            example=_example(c.get("example") or {}, lang, tz, names, cases)))
    story.examples = [_example(p, lang, tz, names, cases) for p in rows_of(ex.get("examples"))]
    return story
