"""A detected attack told in words: a summary and each signal named, valued and explained.

The detector (`otklik.analytics.attacks`) stores its signals as keys and numbers and an English
summary for the CLI; the desk's reader gets sentences in their language instead. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from otklik.wording import words
from otklik.wording.codes import word

# signal → (Russian, English) sentence saying what the value means; shares read as percents
EXPLAIN: dict[str, tuple[str, str]] = {
    "near_duplicate_share": ("Доля публикаций, почти дословно повторяющих тексты других "
                             "аккаунтов: люди пишут своими словами, кампании копируют.",
                             "Share of posts that nearly copy other accounts' texts: people "
                             "write in their own words, campaigns copy."),
    "repeat_account_share": ("Доля аккаунтов, написавших об этом не один раз за кампанию.",
                             "Share of accounts that posted about it more than once."),
    "machine_rate_share": ("Доля аккаунтов, публиковавших чаще, чем успевает человек.",
                           "Share of accounts posting faster than a person can."),
    "synchrony": ("Насколько публикации совпадают по времени сверх случайного "
                  "(0 — как у случайных людей, 1 — строго вместе).",
                  "How far the posts coincide in time beyond chance (0: like strangers, "
                  "1: in lockstep)."),
    "small_account_share": ("Доля аккаунтов с очень малым числом подписчиков.",
                            "Share of accounts with very few followers."),
    "new_account_share": ("Доля аккаунтов, созданных незадолго до кампании.",
                          "Share of accounts created shortly before the campaign."),
    "co_posting_share": ("Доля аккаунтов, которые не раз публиковали то же, что и минимум двое "
                         "других из группы, почти одновременно.",
                         "Share of accounts that more than once posted what at least two "
                         "others of the group posted close in time."),
    "shared": ("Что объединяет публикации: общие хештеги, ссылки, упоминания.",
               "What the posts have in common: hashtags, links, mentions."),
    "near_duplicate_clusters": ("Сколько групп почти одинаковых текстов нашлось.",
                                "How many groups of near-identical texts were found."),
    "places": ("На скольких площадках (сообществах, каналах) шла кампания.",
               "On how many places (communities, channels) the campaign ran."),
}
SHARES = frozenset(k for k in EXPLAIN if k.endswith("_share"))
ORDER = ("near_duplicate_share", "co_posting_share", "repeat_account_share", "synchrony",
         "machine_rate_share", "new_account_share", "small_account_share", "shared",
         "near_duplicate_clusters", "places")


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
    """The stored signals in a readable order, each named, valued and explained."""
    raw = raw or {}
    index = 1 if lang == "en" else 0
    out: list[Signal] = []
    for key in (*ORDER, *sorted(k for k in raw if k not in ORDER and k in EXPLAIN)):
        if key not in raw:
            continue
        value = raw[key]
        if key == "shared":
            text, strong = shared_words(value, lang), bool(value)
        elif value is None:
            text, strong = ("нет данных" if lang != "en" else "no data"), False
        elif key in SHARES:
            text, strong = words.percent(float(value), lang), float(value) >= 0.5
        elif key == "synchrony":
            text, strong = words.number(float(value), lang, 2), float(value) >= 0.5
        else:
            text, strong = words.number(value, lang), False
        out.append(Signal(word("signal", key, lang), text, EXPLAIN[key][index], strong))
    return out


def summary(attack: Any, lang: str, tz: tzinfo) -> str:
    """ "17 аккаунтов опубликовали 39 упоминаний за 46 мин (1 дек., 19:00–19:46): …"."""
    s = attack.signals or {}
    accounts = int(s.get("accounts") or len(attack.authors or []))
    posts = int(s.get("posts") or len(attack.mention_ids or []))
    minutes = (attack.end - attack.start).total_seconds() / 60
    span = f"{words.when(attack.start, lang, tz)} – {words.local(attack.end, tz):%H:%M}"
    shared = shared_words(s.get("shared"), lang)
    score = words.percent(attack.score, lang)
    if lang == "en":
        head = (f"{accounts} {words.plural(accounts, 'account|accounts', 'en')} posted {posts} "
                f"{words.plural(posts, 'mention|mentions', 'en')} within "
                f"{words.duration(minutes, 'en')} ({span})")
        tail = f", sharing {shared}." if s.get("shared") else "."
        return (head + tail + f" Coordination {score}: "
                f"{words.percent(s.get('near_duplicate_share'), 'en')} near-identical texts, "
                f"{words.percent(s.get('co_posting_share'), 'en')} of the accounts co-posting.")
    verb = "опубликовал" if accounts % 10 == 1 and accounts % 100 != 11 else "опубликовали"
    head = (f"{accounts} {words.plural(accounts, 'аккаунт|аккаунта|аккаунтов', 'ru')} {verb} "
            f"{posts} {words.plural(posts, 'упоминание|упоминания|упоминаний', 'ru')} за "
            f"{words.duration(minutes, 'ru')} ({span})")
    tail = f"; общее у публикаций: {shared}." if s.get("shared") else "."
    return (head + tail + f" Согласованность {score}: "
            f"{words.percent(s.get('near_duplicate_share'), 'ru')} почти одинаковых текстов, "
            f"{words.percent(s.get('co_posting_share'), 'ru')} аккаунтов повторяют друг друга.")
