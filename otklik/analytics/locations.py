"""Which of a brand's locations a mention is about: coordinates, then words, then the place.

Pure: the morphology comes in as a `Morphology` (the desk passes pymorphy3's, see
`otklik.nlp.toponyms`), so every word form of every alias is computed once, when the index is
built, and a mention costs a tokenisation and hash lookups (tens of thousands a second).

1. Coordinates within `radius_m` of a location: the nearest wins.
2. Words: a location's aliases and the distinctive words of its address, in any form the
   morphology gives (Арбат → на Арбате), near a mention of the brand when the text names the
   brand; a house number after the street picks between locations on one street. A word that is
   only spelled alike is not a form (Пятница is not Пятницкая). A text that names another
   town ("в Твери", "в Питере") is about none of this brand's locations. Two locations matched
   equally well is no answer: a person decides.
3. The place it was posted in, when that place belongs to a location.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from otklik.domain.enrichment import Enriched

RADIUS_M = 300.0
NEAR_BRAND = 10  # tokens between a brand word and a location's words
EARTH_M = 6_371_000.0
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_HOUSE = re.compile(r"\d{1,4}[а-яa-z]?")
# words that say what kind of place a name is, not which: dropped from aliases and addresses
GENERIC = frozenset((
    "ул", "улица", "пр", "пр-т", "просп", "проспект", "пер", "переулок", "б-р", "бульвар",
    "ш", "шоссе", "наб", "набережная", "пл", "м", "метро", "ст", "станция", "тц", "трц", "тк",
    "трк", "г", "город", "д", "дом", "стр", "строение", "к", "корп", "корпус", "р-н", "район",
    "россия", "рф",
))
# a street's first word that people drop ("Большая Садовая" → "на Садовой")
_DROPPED_FIRST = frozenset(("большая", "большой", "малая", "малый", "новая", "новый", "старая",
                            "старый", "верхняя", "нижняя", "средняя"))
# words after a name that make it a region's, not a street's ("в Тверской области")
_REGION = frozenset(("область", "области", "областью", "обл", "край", "края", "крае", "краю"))
# prepositions after which a town's name says where something is ("в Твери", "из Казани")
_TOWN_PREPOSITIONS = frozenset({"в", "во", "из", "под"})


class Morphology(Protocol):
    """What attribution needs to know about Russian words."""

    def forms(self, word: str) -> frozenset[str]:
        """Every form of a (lower-case) word in the alias's own gender and number."""

    def distinctive(self, word: str) -> bool:
        """True for a proper name or adjective (Арбат, Тверская); False for a common noun
        (сокол, мир) that names a place only when capitalised."""

    def town(self, word: str) -> bool:
        """True when a (lower-case) word is a form of a town's or region's name."""


@dataclass(frozen=True, slots=True)
class Site:
    """A location as attribution sees it."""

    id: int
    name: str
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    aliases: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # "network:external_id"


@dataclass(frozen=True, slots=True)
class Located:
    site: Site
    how: str  # geo, text, place


@dataclass(slots=True)
class _Phrase:
    site: int  # index into sites
    words: tuple[frozenset[str], ...]
    capital: bool  # the first word must be capitalised in the text (a common noun)
    house: str | None  # the house number that goes with it, from the address


@dataclass(slots=True)
class _Token:
    word: str
    capital: bool


def _words(text: str) -> list[str]:
    return [w.replace("ё", "е") for w in _TOKEN.findall(text.lower())]


def _house(address: str) -> str | None:
    """The house number of an address: the first number after the street ("Тверская, 12")."""
    for part in address.lower().replace("ё", "е").split(",")[1:]:
        for word in _words(part):
            if _HOUSE.fullmatch(word) and word[0].isdigit():
                return word
    return None


@dataclass
class LocationIndex:
    """One brand's locations, ready to attribute mentions to."""

    sites: Sequence[Site]
    morphology: Morphology
    brand_words: Iterable[str] = ()
    radius_m: float = RADIUS_M
    _phrases: dict[str, list[_Phrase]] = field(init=False, repr=False)
    _home: frozenset[str] = field(init=False, repr=False)
    _brand: frozenset[str] = field(init=False, repr=False)
    _grid: dict[tuple[int, int], list[int]] = field(init=False, repr=False)
    _places: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        morph = self.morphology
        self._phrases = defaultdict(list)  # first word's form → phrases starting with it
        self._home = frozenset(
            form for s in self.sites for part in s.address.split(",") for w in _words(part)
            if w.isalpha() and morph.town(w) for form in morph.forms(w))
        for i, site in enumerate(self.sites):
            house = _house(site.address)
            texts = [*site.aliases, self._street(site.address)]
            for text in dict.fromkeys(t for t in texts if t.strip()):
                self._add_phrase(i, text, house if text not in site.aliases else None)
        brand_forms: set[str] = set()
        for name in self.brand_words:
            for word in _words(name):
                brand_forms |= morph.forms(word) if word.isalpha() else {word}
        self._brand = frozenset(brand_forms)
        self._places = {key: i for i, s in enumerate(self.sites) for key in s.places}
        self._build_grid()

    def _add_phrase(self, site: int, text: str, house: str | None) -> None:
        words = [w for w in _words(text) if w not in GENERIC]
        words = [w for w in words if not w[0].isdigit()]
        if not words:
            return
        if len(words) > 1 and words[0] in _DROPPED_FIRST:
            self._add_phrase(site, " ".join(words[1:]), house)
        capital = len(words) == 1 and not self.morphology.distinctive(words[0])
        forms = tuple(self.morphology.forms(w) for w in words)
        phrase = _Phrase(site, forms, capital, house)
        for form in forms[0]:
            self._phrases[form].append(phrase)

    def _street(self, address: str) -> str:
        """The street of an address: the part marked as one ("ул. Тверская"), else the part
        before the house number ("Тверская, 12"), else the first that is not a town's name."""
        parts = [_words(p) for p in address.split(",")]
        named = [[w for w in p if w not in GENERIC and not w[0].isdigit()] for p in parts]
        marked = [n for p, n in zip(parts, named, strict=True) if n and len(n) < len(p)
                  and any(w in GENERIC for w in p)]
        before = [n for n, nxt in zip(named, parts[1:], strict=False)
                  if n and nxt and nxt[0][0].isdigit()]
        plain = [n for n in named if n and not (len(n) == 1 and self.morphology.town(n[0]))]
        for found in (marked, before, plain):
            if found:
                return " ".join(found[0])
        return ""

    def _build_grid(self) -> None:
        """Cells of `radius_m`, so a post's coordinates are compared with nearby sites only."""
        self._grid = defaultdict(list)
        placed = [s for s in self.sites if s.lat is not None and s.lon is not None]
        top = max((abs(s.lat or 0.0) for s in placed), default=0.0)
        self._dlat = self.radius_m / 111_320.0
        self._dlon = self._dlat / max(math.cos(math.radians(min(top + 1.0, 89.0))), 0.01)
        for i, s in enumerate(self.sites):
            if s.lat is not None and s.lon is not None:
                self._grid[self._cell(s.lat, s.lon)].append(i)

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / self._dlat), math.floor(lon / self._dlon))

    def locate(self, text: str, lat: float | None = None, lon: float | None = None,
               place: str | None = None) -> Located | None:
        """The location a post is about, and how it was found; None when it is about none."""
        if lat is not None and lon is not None:
            site = self._nearest(lat, lon)
            if site is not None:
                return Located(site, "geo")
        site = self._by_text(text)
        if site is not None:
            return Located(site, "text")
        if place and place in self._places:
            return Located(self.sites[self._places[place]], "place")
        return None

    def _nearest(self, lat: float, lon: float) -> Site | None:
        row, col = self._cell(lat, lon)
        best: tuple[float, int] | None = None
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for i in self._grid.get((row + dr, col + dc), ()):
                    s = self.sites[i]
                    d = distance_m(lat, lon, s.lat or 0.0, s.lon or 0.0)
                    if d <= self.radius_m and (best is None or d < best[0]):
                        best = (d, i)
        return self.sites[best[1]] if best else None

    def _by_text(self, text: str) -> Site | None:
        tokens = [_Token(w.lower().replace("ё", "е"), w[0].isupper())
                  for w in _TOKEN.findall(text)]
        brand_at = [i for i, t in enumerate(tokens) if t.word in self._brand]
        scores: dict[int, float] = defaultdict(float)
        for i, token in enumerate(tokens):
            for phrase in self._phrases.get(token.word, ()):
                end = _match(tokens, i, phrase)
                if end is None:
                    continue
                if brand_at and min(abs(b - i) for b in brand_at) > NEAR_BRAND + end - i:
                    continue
                score = float(end - i)
                number = _number_after(tokens, end)
                if number is not None and phrase.house is not None:
                    score += 2.0 if number == phrase.house else -0.5
                scores[phrase.site] = max(scores[phrase.site], score)
        if not scores or self._other_town(tokens):
            return None
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[1][1] >= ranked[0][1]:
            return None  # two locations fit equally well
        return self.sites[ranked[0][0]]

    def _other_town(self, tokens: Sequence[_Token]) -> bool:
        """The text names a town other than the locations' own ("в Твери", "из Питера")."""
        for j in range(1, len(tokens)):
            t = tokens[j]
            if (t.capital and tokens[j - 1].word in _TOWN_PREPOSITIONS
                    and t.word not in self._home and self.morphology.town(t.word)):
                return True
        return False


def _match(tokens: Sequence[_Token], start: int, phrase: _Phrase) -> int | None:
    """The end (exclusive) of the phrase matched at `start`, or None."""
    if phrase.capital and not tokens[start].capital:
        return None
    end = start + len(phrase.words)
    if end > len(tokens):
        return None
    for k, forms in enumerate(phrase.words[1:], start=1):
        if tokens[start + k].word not in forms:
            return None
    if end < len(tokens) and tokens[end].word in _REGION:
        return None
    return end


def _number_after(tokens: Sequence[_Token], end: int) -> str | None:
    """A house number right after a street ("Тверская, 12", "Тверская д. 12")."""
    for j in range(end, min(end + 2, len(tokens))):
        word = tokens[j].word
        if word[0].isdigit():
            return word if _HOUSE.fullmatch(word) else None
        if word not in GENERIC:
            return None
    return None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(a)))


def dominant_location(names: Iterable[str | None], *, share: float = 0.5,
                      min_count: int = 3) -> dict[str, object] | None:
    """The location most of a spike's mentions are about, when one holds at least `share` of
    them ("82 % всплеска — Зерно на Арбате"); None when none dominates."""
    counts: dict[str, int] = defaultdict(int)
    total = 0
    for name in names:
        total += 1
        if name:
            counts[name] += 1
    if not counts or not total:
        return None
    name, count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if count < min_count or count / total < share:
        return None
    return {"name": name, "count": count, "share": round(count / total, 3)}


def location_enricher(indexes: Mapping[int, LocationIndex]) -> Callable[[Sequence[Enriched]], None]:
    """An enricher that fills `brand_locations` for each brand a post matched (run after the
    brand match): brand id → the id of the location the post is about."""

    def enrich(batch: Sequence[Enriched]) -> None:
        for item in batch:
            p = item.post
            place = f"{p.network}:{p.place.external_id}" if p.place is not None else None
            for brand_id in item.brand_matches:
                index = indexes.get(brand_id)
                if index is None:
                    continue
                found = index.locate(item.text, p.lat, p.lon, place)
                if found is not None:
                    item.brand_locations[brand_id] = found.site.id

    return enrich
