"""What caused a spike: what the spike's mentions say, where and by whom, compared with before.

Words, lemmas and hashtags are ranked by the weighted log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"): the z-score of the difference in log-odds
between the spike and the baseline, with the prior taken from both periods pooled, so that frequent
words need a real shift and rare words are not over-read. Counts are per post (a word repeated in
one post counts once), so one long post cannot drive the result. Places and authors are ranked by
their excess over what the baseline share predicts. Pure: lists of mention-like dicts or objects
in, a JSON-ready dict out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any

import numpy as np

_URL = re.compile(r"https?://\S+|www\.\S+")
_USER = re.compile(r"(?<![\w@])@\w+")
_HASHTAG = re.compile(r"(?<![\w#])#(\w[\w-]*)")
_WORD = re.compile(r"[^\W\d_]{2,}(?:['’][^\W\d_]+)?")
_CYRILLIC = re.compile(r"[а-яё]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_RU_STOP = _words(
    "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только "
    "ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни "
    "быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут "
    "где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под "
    "будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой "
    "тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть "
    "после над больше тот через эти нас про всего них какая много разве три эту моя впрочем "
    "хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю "
    "между это так вот просто очень"
)
_EN_STOP = _words(
    "a about above after again against all am an and any are as at be because been before "
    "being below between both but by can could did do does doing down during each few for "
    "from further had has have having he her here hers herself him himself his how i if in "
    "into is it its itself just me more most my myself no nor not now of off on once only "
    "or other our ours ourselves out over own same she should so some such than that the "
    "their theirs them themselves then there these they this those through to too under "
    "until up very was we were what when where which while who whom why will with would you "
    "your yours yourself yourselves im ive dont cant its thats get got also us one"
)
_STOP = _EN_STOP | _RU_STOP | {"rt", "amp", "http", "https"}


def field(mention: Any, name: str, default: Any = None) -> Any:
    """A field of a dict or an attribute of an object (ORM row, `Post`, dataclass)."""
    if isinstance(mention, dict):
        return mention.get(name, default)
    return getattr(mention, name, default)


def _label(value: Any) -> str | None:
    """A readable key for an author or a place given as a string, dict or object."""
    if value is None or isinstance(value, str):
        return value or None
    for name in ("handle", "name", "external_id", "id"):
        got = field(value, name)
        if got:
            return str(got)
    return None


@cache
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@cache
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Lemma of a lowercase word: pymorphy3 for Russian, the Snowball stem (PyStemmer's C code)
    for the rest; cached per distinct word, so many posts cost one analysis per vocabulary word."""
    if _CYRILLIC.search(word):
        return str(_morph().parse(word)[0].normal_form)
    return str(_stemmer().stemWord(word))


def _tokens(text: str) -> list[str]:
    text = _USER.sub(" ", _URL.sub(" ", text.lower()))
    return [w for w in _WORD.findall(text) if w not in _STOP]


def _hashtags(mention: Any, text: str) -> set[str]:
    tags = field(mention, "hashtags") or _HASHTAG.findall(text)
    return {str(t).lower().lstrip("#") for t in tags}


class _Counts:
    """Per-post counts of terms, lemmas and hashtags over one period."""

    def __init__(self, mentions: Sequence[Any], lemma: Callable[[str], str]) -> None:
        self.terms: Counter[str] = Counter()
        self.lemmas: Counter[str] = Counter()
        self.hashtags: Counter[str] = Counter()
        self.forms: dict[str, Counter[str]] = {}  # lemma -> its surface words, to show one
        self.doc_terms: list[set[str]] = []
        for m in mentions:
            text = field(m, "text") or ""
            words = _tokens(text)
            terms = set(words)
            terms.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
            self.terms.update(terms)
            lemmas = {lemma(w): w for w in words}
            self.lemmas.update(lemmas.keys())
            for lem, word in lemmas.items():
                self.forms.setdefault(lem, Counter())[word] += 1
            self.hashtags.update(_hashtags(m, text))
            self.doc_terms.append(terms)


def log_odds(during: Counter[str], baseline: Counter[str], *, min_count: int = 3,
             top: int = 15, prior: float | None = None) -> list[dict[str, Any]]:
    """Over-represented items of `during` vs `baseline` by weighted log-odds (Monroe et al. 2008).

    The prior is the pooled frequency scaled to `prior` pseudo-counts (default: the smaller
    period's total), so its weight grows with the data instead of swamping small spikes.
    """
    # ties (a wave of identical posts) rank single words first, then alphabetically: every run
    # gives the same explanation
    keys = sorted((k for k, c in during.items() if c >= min_count),
                  key=lambda k: (k.count(" "), k))
    if not keys:
        return []
    y_i = np.array([during[k] for k in keys], float)
    y_j = np.array([baseline.get(k, 0) for k in keys], float)
    n_i, n_j = float(sum(during.values())), float(max(sum(baseline.values()), 1))
    a0 = prior if prior is not None else max(min(n_i, n_j), 1.0)
    alpha = a0 * (y_i + y_j) / (n_i + n_j)
    with np.errstate(divide="ignore", invalid="ignore"):  # a term filling a whole period
        delta = (np.log((y_i + alpha) / (n_i + a0 - y_i - alpha))
                 - np.log((y_j + alpha) / (n_j + a0 - y_j - alpha)))
        z = delta / np.sqrt(1.0 / (y_i + alpha) + 1.0 / (y_j + alpha))
    z = np.where(np.isfinite(z), z, 0.0)  # no finite evidence: not reported as a driver
    order = np.argsort(-z, kind="stable")[:top]
    return [{"term": keys[i], "z": round(float(z[i]), 2), "during": int(y_i[i]),
             "baseline": int(y_j[i])} for i in order if z[i] > 0]


def _drivers(during: Iterable[str | None], baseline: Iterable[str | None], n_during: int,
             n_baseline: int, top: int) -> list[dict[str, Any]]:
    """Keys (places, authors) whose spike count most exceeds what their baseline share predicts."""
    c_d = Counter(k for k in during if k)
    c_b = Counter(k for k in baseline if k)
    rows: list[dict[str, Any]] = []
    k_all = len(c_d.keys() | c_b.keys()) or 1
    for key, count in c_d.items():
        if count < 2:
            continue
        share_b = (c_b.get(key, 0) + 0.5) / (n_baseline + 0.5 * k_all)
        excess = count - share_b * n_during
        rows.append({"key": key, "during": count, "baseline": c_b.get(key, 0),
                     "share_during": round(count / n_during, 3),
                     "share_baseline": round(c_b.get(key, 0) / n_baseline, 3) if n_baseline
                     else None, "excess": round(excess, 1)})
    rows.sort(key=lambda r: -r["excess"])
    return [r for r in rows[:top] if r["excess"] > 0]


def _negative_share(mentions: Sequence[Any]) -> float | None:
    labels = [field(m, "sentiment") for m in mentions]
    known = [s for s in labels if s in ("negative", "neutral", "positive")]
    return round(sum(s == "negative" for s in known) / len(known), 3) if known else None


def _cluster_key(mention: Any) -> Any:
    cluster = field(mention, "cluster_id")
    if cluster is not None:
        return ("cluster", cluster)
    return ("text", " ".join((field(mention, "text") or "").lower().split()))


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _post(m: Any) -> dict[str, Any]:
    return {"id": field(m, "id") or field(m, "external_id"), "text": field(m, "text"),
            "author": _label(field(m, "author")), "place": _label(field(m, "place")),
            "created_at": _iso(field(m, "created_at")), "url": field(m, "url"),
            "sentiment": field(m, "sentiment")}


def _sample(items: Sequence[Any], limit: int) -> Sequence[Any]:
    """An evenly spaced sample (deterministic): word frequencies need thousands, not all."""
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def explain_spike(during: Sequence[Any], baseline: Sequence[Any], *, top: int = 10,
                  examples: int = 5, min_count: int = 3, max_posts: int = 8000) -> dict[str, Any]:
    """Explain a spike: its mentions (`during`) against the period before (`baseline`).

    Words are counted over at most `max_posts` posts of each period (an even sample), places,
    authors, negativity and duplicate clusters over all of them.
    """
    n_d, n_b = len(during), len(baseline)
    sample = _sample(during, max_posts)
    c_d, c_b = _Counts(sample, lemma), _Counts(_sample(baseline, max_posts), lemma)
    terms = log_odds(c_d.terms, c_b.terms, min_count=min_count, top=top)
    clusters: dict[Any, list[int]] = {}
    for i, m in enumerate(during):
        clusters.setdefault(_cluster_key(m), []).append(i)
    big = sorted((v for v in clusters.values() if len(v) >= 2), key=len, reverse=True)[:top]
    # representative posts: most of the spike's distinctive terms, one per duplicate cluster
    weight = {t["term"]: t["z"] for t in log_odds(c_d.terms, c_b.terms, min_count=min_count,
                                                   top=4 * top)}
    ranked = sorted(range(len(sample)),
                    key=lambda i: -sum(weight.get(t, 0.0) for t in c_d.doc_terms[i]))
    picked: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for i in ranked:
        if len(picked) >= examples:
            break
        key = _cluster_key(sample[i])
        if key not in seen:
            seen.add(key)
            picked.append(_post(sample[i]))
    result: dict[str, Any] = {
        "n_during": n_d, "n_baseline": n_b,
        "terms": terms,
        "lemmas": [{**row, "form": c_d.forms[row["term"]].most_common(1)[0][0]}
                   for row in log_odds(c_d.lemmas, c_b.lemmas, min_count=min_count, top=top)],
        "hashtags": log_odds(c_d.hashtags, c_b.hashtags, min_count=min(2, min_count), top=top),
        "places": _drivers((_label(field(m, "place")) for m in during),
                           (_label(field(m, "place")) for m in baseline), n_d, n_b, top),
        "authors": _drivers((_label(field(m, "author")) for m in during),
                            (_label(field(m, "author")) for m in baseline), n_d, n_b, top),
        "negative_share": {"baseline": _negative_share(baseline),
                           "during": _negative_share(during)},
        "clusters": [{"size": len(idx), "share": round(len(idx) / n_d, 3),
                      "first": _iso(field(during[idx[0]], "created_at")),
                      "example": _post(during[idx[0]])} for idx in big],
        "examples": picked,
    }
    result["summary"] = summary(result)
    return result


def summary(explanation: dict[str, Any]) -> str:
    """One line for an alert: the top words, the main place and the change in negativity."""
    parts = []
    words = [t["term"] for t in explanation["terms"][:5]]
    if words:
        parts.append("words: " + ", ".join(words))
    if explanation["hashtags"]:
        parts.append("hashtags: " + ", ".join("#" + t["term"] for t in explanation["hashtags"][:3]))
    if explanation["places"]:
        p = explanation["places"][0]
        parts.append(f"mostly in {p['key']} ({p['during']} posts)")
    neg = explanation["negative_share"]
    if neg["during"] is not None:
        before = "n/a" if neg["baseline"] is None else f"{neg['baseline']:.0%}"
        parts.append(f"negative {before} → {neg['during']:.0%}")
    return "; ".join(parts)


def split_period(mentions: Iterable[Any], start: datetime, end: datetime, *,
                 baseline: timedelta = timedelta(days=7)) -> tuple[list[Any], list[Any]]:
    """Mentions of the spike [start, end] and of the baseline [start - baseline, start)."""
    during, before = [], []
    for m in mentions:
        t = field(m, "created_at")
        if t is None:
            continue
        if start <= t <= end:
            during.append(m)
        elif start - baseline <= t < start:
            before.append(m)
    return during, before

