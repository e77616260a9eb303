"""A detected attack told in words: a summary, each signal named, valued and explained, and how
the campaign works (its copied stories, whom its replies converge on and what they recommend, its
waves on a timeline).

The detector (`otklik.analytics.attacks`) stores its signals as keys and numbers and an English
summary for the CLI; the desk's reader gets sentences in their language instead. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from otklik.web.i18n import translator
from otklik.wording import words
from otklik.wording.catalogues import say
from otklik.wording.codes import word

ORDER = ("copy_share", "converge_share", "near_duplicate_share", "co_posting_share",
         "repeat_account_share", "synchrony", "machine_rate_share", "new_account_share",
         "small_account_share", "shared", "near_duplicate_clusters", "places")
SHARES = frozenset(k for k in ORDER if k.endswith("_share"))


@dataclass
class Signal:
    name: str
    value: str
    meaning: str
    strong: bool


def shared_words(items: Any, lang: str) -> str:
    """["hashtag:#x", "link:http://…"] → "хештег #x, ссылка http://…"."""
    out = []
    for item in items if isinstance(items, list) else []:
        kind, _, value = str(item).partition(":")
        out.append(f"{word('shared_key', kind, lang)} {value}" if value else str(item))
    return ", ".join(out) or "—"


def signals(raw: dict[str, Any] | None, lang: str) -> list[Signal]:
    """The stored signals in a readable order, each named, valued and explained (what a value
    means is the signal's `signal_meaning` entry in the `wording` catalogue)."""
    raw = raw or {}
    out: list[Signal] = []
    for key in ORDER:
        if key not in raw:
            continue
        value = raw[key]
        if key == "shared":
            text, strong = shared_words(value, lang), bool(value)
        elif value is None:
            text, strong = translator(lang)("no_data"), False
        elif key in SHARES:
            text, strong = words.percent(float(value), lang), float(value) >= 0.5
        elif key == "synchrony":
            text, strong = words.number(float(value), lang, 2), float(value) >= 0.5
        else:
            text, strong = words.number(value, lang), False
        out.append(Signal(word("signal", key, lang), text, word("signal_meaning", key, lang),
                          strong))
    return out


def summary(attack: Any, lang: str, tz: tzinfo) -> str:
    """ "17 аккаунтов опубликовали 39 упоминаний за 46 мин (1 дек., 19:00–19:46): …"."""
    s = attack.signals or {}
    accounts = int(s.get("accounts") or len(attack.authors or []))
    posts = int(s.get("posts") or len(attack.mention_ids or []))
    minutes = (attack.end - attack.start).total_seconds() / 60
    window = f"{words.when(attack.start, lang, tz)} – {words.clock(attack.end, lang, tz)}"
    shared = shared_words(s.get("shared"), lang)
    head = say("attack_accounts_posted", lang, n=accounts, span=words.duration(minutes, lang),
               posts=say("mentions_count", lang, n=posts), when=window)
    tail = say("attack_sharing", lang, shared=shared) if s.get("shared") else ""
    coordination = say("attack_coordination", lang, score=words.percent(attack.score, lang),
                       copies=words.percent(s.get("near_duplicate_share"), lang),
                       co_posting=words.percent(s.get("co_posting_share"), lang))
    return f"{head}{tail}. {coordination}"


@dataclass
class Seed:
    """A story several accounts copied: its text, how many copied it, its first post's id."""

    text: str
    copies: str
    post: str | None


@dataclass
class Story:
    """How the campaign works, for the attack's card."""

    lines: list[str] = field(default_factory=list)
    seeds: list[Seed] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    recommends: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)
    waves: dict[str, Any] | None = None  # the timeline chart's data (attack_waves.js)


def _strings(items: Any) -> list[str]:
    return [str(x) for x in items] if isinstance(items, list) else []


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def story(raw: dict[str, Any] | None, lang: str, tz: tzinfo) -> Story:
    """ "Одна и та же история, скопированная слово в слово 24 аккаунтами"; "Ответы сходятся на 3
    адресатах и советуют «Такси Б»"; "Кампания вернулась: вторая волна 9 сент., 12:30"; the
    seeds, targets and waves behind them."""
    raw = raw or {}
    t = translator(lang)
    told = Story(targets=_strings(raw.get("targets")), named=_strings(raw.get("named")),
                 recommends=_strings(raw.get("recommends")))
    for seed in raw.get("seeds") or []:
        if isinstance(seed, dict) and seed.get("text"):
            n = int(seed.get("accounts") or 0)
            told.seeds.append(Seed(str(seed["text"]), t("seed_copies", n=n),
                                   str(seed["post"]) if seed.get("post") else None))
    if told.seeds and float(raw.get("copy_share") or 0) > 0:
        told.lines.append(t("copied_story", n=int(raw["seeds"][0].get("accounts") or 0)))
    if told.targets and (float(raw.get("converge_share") or 0) > 0 or told.recommends):
        advice = t("and_recommend", names=", ".join(told.recommends)) if told.recommends else ""
        told.lines.append(t("replies_converge", n=len(told.targets)) + advice)
    waves = [(b, start) for b in raw.get("bursts") or [] if isinstance(b, dict)
             and (start := _time(b.get("start"))) is not None]
    for k, (_, start) in enumerate(waves[1:], 2):
        ordinal = t(f"ordinal_{k}") if k <= 4 else t("ordinal_n", n=k)
        when = words.when(start, lang, tz)
        told.lines.append(t("campaign_came_back", ordinal=ordinal, when=when))
    if waves:
        told.waves = {
            "labels": [f"{t('wave_n', n=k)} · {words.when(start, lang, tz)}"
                       for k, (_, start) in enumerate(waves, 1)],
            "posts": [int(b.get("posts") or 0) for b, _ in waves],
            "accounts": [int(b.get("accounts") or 0) for b, _ in waves],
        }
    return told
