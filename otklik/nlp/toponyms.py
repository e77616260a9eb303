"""Russian morphology for place names, as `otklik.analytics.locations` asks for it.

An alias is given in the nominative ("Тверская", "Курский вокзал", "Хамовники"); its forms are
the inflections of that very paradigm, and for an adjective only in the alias's own gender and
number ("Садовая" → на Садовой, but not "Садовое кольцо"). A word merely spelled alike is never
a form: пятница is not in the paradigm of Пятницкая, Тверь not in that of Тверская.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.analytics.locations import RADIUS_M, LocationIndex, Site
from otklik.db.models import Brand, Location
from otklik.nlp.lang import russian_morph

_CYRILLIC = re.compile(r"^[а-я-]+$")
_PROPER = ("Geox", "Surn", "Name", "Patr", "Orgn", "Trad")
# towns people name by other words than the dictionary's
_INFORMAL_TOWNS = frozenset({"питер", "питере", "питера", "спб", "екб", "ебург", "нск", "мск",
                             "новосиб", "новосибе", "нижнем"})
# the larger towns of Russia and the capitals nearby, by their dictionary form: a gazetteer
# rather than the dictionary's Geox mark, which also marks districts and streets (Замоскворечье,
# Арбат) that are inside a location's own town
TOWNS = frozenset(
    line.strip() for line in
    (Path(__file__).parent / "models" / "towns.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#"))


def _e(word: str) -> str:
    return word.lower().replace("ё", "е")


class RussianPlaces:
    """pymorphy3 behind the three questions attribution asks (cached: aliases repeat)."""

    def __init__(self, morph: Any | None = None) -> None:
        self.morph = morph or russian_morph()

    @lru_cache(maxsize=20_000)  # noqa: B019 - one instance per process, kept for its life
    def forms(self, word: str) -> frozenset[str]:
        word = _e(word)
        if not _CYRILLIC.match(word):
            return frozenset({word})
        parses = self.morph.parse(word)
        forms = {word}
        for p in [p for p in parses if _e(p.normal_form) == word] or parses[:1]:
            if p.tag.POS in ("ADJF", "PRTF") or "Surn" in p.tag:
                # an adjective or a surname keeps the alias's gender and number
                forms.update(_e(f.word) for f in p.lexeme
                             if f.tag.POS == p.tag.POS and f.tag.number == p.tag.number
                             and (p.tag.number == "plur" or f.tag.gender == p.tag.gender))
            else:
                forms.update(_e(f.word) for f in p.lexeme)
        return frozenset(forms)

    @lru_cache(maxsize=20_000)  # noqa: B019 - as above
    def distinctive(self, word: str) -> bool:
        word = _e(word)
        if not _CYRILLIC.match(word) or not self.morph.word_is_known(word):
            return True
        parses = self.morph.parse(word)
        if parses[0].tag.POS in ("ADJF", "PRTF"):
            return True
        return any(tag in p.tag for p in parses if p.score >= 0.1 for tag in _PROPER)

    @lru_cache(maxsize=20_000)  # noqa: B019 - as above
    def town(self, word: str) -> bool:
        word = _e(word)
        if word in _INFORMAL_TOWNS:
            return True
        if not _CYRILLIC.match(word):
            return False
        return any(_e(p.normal_form) in TOWNS for p in self.morph.parse(word) if p.score >= 0.05)


@lru_cache(maxsize=1)
def russian_places() -> RussianPlaces:
    """One per process: the dictionary loads once and the caches are shared."""
    return RussianPlaces()


def site_of(location: Location) -> Site:
    return Site(id=location.id, name=location.name, address=location.address or "",
                lat=location.lat, lon=location.lon, aliases=tuple(location.aliases or ()),
                places=tuple(location.places or ()))


def location_indexes(locations: Iterable[Location], brand_names: Mapping[int, list[str]],
                     brand_settings: Mapping[int, Mapping[str, Any]]
                     ) -> dict[int, LocationIndex]:
    """Brand id → the index of its enabled locations (a brand without any gets none). The
    radius is the brand's setting `location_radius_m`, else `RADIUS_M`."""
    by_brand: dict[int, list[Site]] = {}
    for location in locations:
        if location.enabled:
            by_brand.setdefault(location.brand_id, []).append(site_of(location))
    return {
        brand_id: LocationIndex(
            sites, russian_places(), brand_names.get(brand_id, ()),
            radius_m=float(brand_settings.get(brand_id, {}).get("location_radius_m")
                           or RADIUS_M))
        for brand_id, sites in by_brand.items()
    }


def brand_location_index(session: Session, brand: Brand) -> LocationIndex:
    """The index of one brand's enabled locations, as enrichment builds it."""
    locations = session.scalars(select(Location).where(Location.brand_id == brand.id)
                                .order_by(Location.id)).all()
    names = {brand.id: [brand.name, *((brand.settings or {}).get("aliases") or [])]}
    found = location_indexes(locations, names, {brand.id: brand.settings or {}})
    return found.get(brand.id) or LocationIndex((), russian_places())
