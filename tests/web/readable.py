"""What a person must never read on the desk: the program's internal codes and Python's reprs,
a catalogue key instead of its words, and Russian on the English desk.

The list of codes is built from the code itself (case states, outcomes, audit event names found
in the source, action kinds, announcement kinds and statuses, networks, roles, attack signal and
spike explanation keys as stored), so it grows as the program does. `problems(html, codes)`
returns what a page shows that it should not; the crawl test and `python -m tests.web.readable`
(against a running desk) both use it. People's words (posts, names, what someone typed) are
marked by the pages with <bdi>, <code>, <pre>… and are not held to the desk's language.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import otklik

SOURCE = Path(otklik.__file__).parent
EVENT_RE = re.compile(r"""record\(\s*\w+,\s*[\w.]+,\s*f?["']([a-z_{}]+\.[a-z_{}.]+)["']""")
SNAKE_RE = re.compile(r"(?<![\w./:@#-])[a-z]+(?:_[a-z]+)+(?![\w/-])")
REPR_RES = (
    re.compile(r"\{'"), re.compile(r"\bNone\b"), re.compile(r"Traceback"),
    re.compile(r"\b[A-Z]\w*(?:Error|Exception):"), re.compile(r"\[\{"),
)
CYRILLIC_RE = re.compile("[А-Яа-яЁё]")
SKIP = {"script", "style", "template", "noscript"}
LITERAL = {"bdi", "code", "pre", "kbd", "textarea"}  # people's words or typed identifiers
FOREIGN = "[lang]"  # marks an element with its own `lang` on the parser's stack
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def event_names() -> set[str]:
    """Every audit event name the source writes (f-string ones as their fixed part)."""
    names: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for match in EVENT_RE.finditer(path.read_text(encoding="utf-8")):
            name = match.group(1)
            if "{" not in name:
                names.add(name)
    return names


def static_codes() -> set[str]:
    """The codes the program declares in its constants."""
    from otklik.actions.send import KINDS as ACTION_KINDS
    from otklik.alerts.events import KINDS as ALERT_EVENTS
    from otklik.care.templates import KINDS as CARE_TEMPLATES
    from otklik.domain import cases as sm
    from otklik.domain.posts import NETWORKS
    from otklik.publish.announcements import STATUSES as ANNOUNCEMENT_STATUSES
    from otklik.publish.incidents import STATUSES as INCIDENT_STATUSES
    from otklik.publish.refutation import PLACEMENT_STATUSES
    from otklik.publish.texts import KINDS as PUBLISH_TEMPLATES
    from otklik.web.auth import ROLE_PERMISSIONS
    from otklik.web.pages.publishing import ANNOUNCEMENT_KINDS

    codes: set[str] = set(sm.STATES) | set(sm.OUTCOMES) | set(ACTION_KINDS) | set(NETWORKS)
    for group in (ALERT_EVENTS, CARE_TEMPLATES, ANNOUNCEMENT_STATUSES, INCIDENT_STATUSES,
                  PLACEMENT_STATUSES, PUBLISH_TEMPLATES, ANNOUNCEMENT_KINDS,
                  tuple(ROLE_PERMISSIONS)):
        codes |= set(group)
    codes |= {"draft", "pending_approval", "approved", "sending", "sent", "failed",
              "needs_review"}  # Action.status, see the model
    return codes | event_names()


def raw_keys() -> frozenset[str]:
    """The catalogue keys whose English is not the key itself: one shown is untranslated."""
    from otklik.web.i18n import catalogue

    english = catalogue("en")
    words = english.translations
    keys = {k for context, k in english.known if context is None and words.gettext(k) != k}
    return frozenset(keys | {k for k in english.plural if words.ngettext(k, k, 2) != k})


def people_words(rows: Iterable[Iterable[Any]]) -> frozenset[str]:
    """The Russian strings a store holds (names, addresses, titles, terms: people's words, which
    the English desk shows as they are); whatever else is Russian on it is the program's."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    walk(json.loads(value))
            if CYRILLIC_RE.search(value) and len(value) <= 300:
                found.add(value.strip())
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    for row in rows:
        walk(list(row))
    return frozenset(w for w in found if w)


def keys_of(value: Any, out: set[str] | None = None) -> set[str]:
    """The dict keys inside a stored JSON document (attack signals, spike explanations)."""
    out = set() if out is None else out
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and k.isidentifier():
                out.add(k)
            keys_of(v, out)
    elif isinstance(value, list):
        for v in value:
            keys_of(v, out)
    return out


@dataclass
class _Text(HTMLParser):
    """Visible text per element; `user` marks text inside <bdi> (people's words, not ours),
    <code>/<pre> (what someone typed: a query, a slug) or an element saying it is in another
    language (`lang="ru"` on the switch to Russian)."""

    chunks: list[tuple[str, bool, str]] = field(default_factory=list)  # (text, user, tag)
    stack: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            foreign = tag != "html" and dict(attrs).get("lang")
            self.stack.append(tag + (FOREIGN if foreign else ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in (t.removesuffix(FOREIGN) for t in self.stack):
            while self.stack and self.stack.pop().removesuffix(FOREIGN) != tag:
                pass

    def handle_data(self, data: str) -> None:
        if any(t in SKIP for t in self.stack) or not data.strip():
            return
        user = any(t in LITERAL or t.endswith(FOREIGN) for t in self.stack)
        self.chunks.append((data.strip(), user,
                            self.stack[-1].removesuffix(FOREIGN) if self.stack else ""))


@dataclass(frozen=True)
class Reader:
    """Who reads the page: their language, the catalogue's keys (`raw_keys()`) and the store's
    Russian strings (`people_words()`), which the English desk may show as they are."""

    lang: str = "ru"
    keys: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()

    def russian(self, text: str) -> bool:
        """Russian in the desk's own words (people's words taken out, longest first)."""
        if not CYRILLIC_RE.search(text):
            return False
        for name in sorted((p for p in self.people if p in text), key=len, reverse=True):
            text = text.replace(name, " ")
        return bool(CYRILLIC_RE.search(text))


def _same_in_english() -> set[str]:
    """Codes whose English words are the code itself ("new"): not a leak on the English desk."""
    from otklik.wording.catalogues import wording

    english = wording("en")
    return {code for context, code in english.known if english.word(str(context), code) == code}


def problems(html: str, codes: Iterable[str], reader: Reader = Reader()) -> list[str]:
    """What a reader would see that is the program's insides or not in their language (empty =
    the page is clean)."""
    parser = _Text()
    parser.feed(html)
    multi = {c for c in codes if "_" in c or "." in c}
    single = {c for c in codes if c not in multi}
    if reader.lang == "en":
        single -= _same_in_english()
    multi_re = re.compile(r"(?<![\w.])(" + "|".join(
        re.escape(c) for c in sorted(multi, key=len, reverse=True)) + r")(?![\w])") \
        if multi else None
    found: list[str] = []
    for text, user, _tag in parser.chunks:
        for rx in REPR_RES:
            if rx.search(text):
                found.append(f"python repr {rx.pattern!r} in {text[:120]!r}")
        if user:
            continue
        if text in single:
            found.append(f"code alone in an element: {text!r}")
        if text in reader.keys:
            found.append(f"catalogue key instead of words: {text!r}")
        if reader.lang == "en" and reader.russian(text):
            found.append(f"Russian on the English desk: {text[:120]!r}")
        if multi_re is not None:
            found += [f"code {m.group(1)!r} in {text[:120]!r}" for m in multi_re.finditer(text)]
        found += [f"snake_case {m.group()!r} in {text[:120]!r}" for m in SNAKE_RE.finditer(text)
                  if multi_re is None or not multi_re.fullmatch(m.group())]
    return found


LINK_RE = re.compile(r"""(?:href|hx-get)="(/[^"#]*)""")
NOT_PAGES = ("/static/", "/api/", "/logout", "/lang")
FILES = (".csv", ".xlsx", ".pdf")  # downloads, not pages


def links(html: str) -> list[str]:
    """The desk's own GET links on a page (and its htmx fragments)."""
    out = []
    for raw in LINK_RE.findall(html):
        url = raw.replace("&amp;", "&")
        if not url.startswith(NOT_PAGES) and not url.partition("?")[0].endswith(FILES):
            out.append(url)
    return out


def shape(url: str) -> str:
    """One page per route shape: /cases/12 and /cases/13 are the same page to check."""
    path, _, query = url.partition("?")
    path = re.sub(r"/\d+", "/{id}", path)
    names = sorted({p.split("=")[0] for p in query.split("&") if p})
    return path + ("?" + "&".join(names) if names else "")


def crawl(get: Any, starts: Iterable[str], codes: set[str], depth: int = 2,
          reader: Reader = Reader()) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Breadth-first from `starts`, `depth` clicks deep; problems per page and pages fetched."""
    seen: dict[str, str] = {}
    report: dict[str, list[str]] = {}
    frontier = list(starts)
    for _ in range(depth + 1):
        following: list[str] = []
        for url in frontier:
            key = shape(url)
            if key in seen:
                continue
            status, html = get(url)
            seen[key] = url
            if status >= 400:
                report[url] = [f"HTTP {status}"]
                continue
            found = problems(html, codes, reader)
            if found:
                report[url] = found
            following += links(html)
        frontier = following
    return report, seen


if __name__ == "__main__":  # python -m tests.web.readable http://127.0.0.1:8019 email password
    import json
    import sqlite3
    import sys

    import httpx

    base, email, password, db = sys.argv[1:5]
    client = httpx.Client(base_url=base, follow_redirects=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"email": email, "password": password,
                                "csrf_token": token.group(1)})
    conn = sqlite3.connect(db)
    codes = static_codes()
    for (doc,) in conn.execute("select signals from attacks union all select explanation "
                               "from spikes"):
        codes |= keys_of(json.loads(doc))

    def get(url: str) -> tuple[int, str]:
        r = client.get(url)
        return r.status_code, r.text

    shown = re.search(r'<html lang="(\w+)"', get("/overview")[1])  # the user's language
    lang = shown.group(1) if shown else "ru"
    tables = [name for (name,) in conn.execute("select name from sqlite_master where type = "
                                                "'table' and name not like 'sqlite%'")]
    people = people_words(row for name in tables for row in conn.execute(f'select * from "{name}"'))
    report, seen = crawl(get, ["/overview", "/inbox", "/mentions"], codes,
                         reader=Reader(lang, raw_keys(), people))
    print(f"{len(seen)} pages in {lang}")
    for url, found in report.items():
        print(url, len(found))
        for line in found[:int(sys.argv[5]) if len(sys.argv) > 5 else 8]:
            print("   ", line)
