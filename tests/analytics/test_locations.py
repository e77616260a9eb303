"""Attribution of a post to one of a brand's locations, on a labelled set of real-looking posts
in every word form and with the traps (look-alike words, another town, far coordinates)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from otklik.analytics.locations import LocationIndex, Site, distance_m
from otklik.nlp.toponyms import russian_places

FIXTURES = Path(__file__).parents[1] / "fixtures" / "locations"


def _sites() -> list[Site]:
    with (FIXTURES / "zerno_locations.csv").open(encoding="utf-8") as f:
        return [Site(i, r["name"], r["address"], float(r["lat"]), float(r["lon"]),
                     tuple(r["aliases"].split("|"))) for i, r in enumerate(csv.DictReader(f))]


@pytest.fixture(scope="module")
def index() -> LocationIndex:
    return LocationIndex(_sites(), russian_places(), ["Зерно"])


def _where(index: LocationIndex, text: str, lat: float | None = None,
           lon: float | None = None, place: str | None = None) -> str | None:
    found = index.locate(text, lat, lon, place)
    return found.site.name if found else None


@pytest.mark.parametrize("name", ["zerno_posts.jsonl", "zerno_posts_fresh.jsonl"])
def test_labelled_posts(index: LocationIndex, name: str) -> None:
    """At least 90 % of the posts about a location find it; no trap finds any."""
    rows = [json.loads(line) for line in (FIXTURES / name).read_text("utf-8").splitlines()]
    located = [r for r in rows if r["expected"]]
    right = sum(_where(index, r["text"], **(r.get("geo") or {})) == r["expected"]
                for r in located)
    assert right / len(located) >= 0.9
    wrong_traps = [r["text"] for r in rows if not r["expected"]
                   if _where(index, r["text"], **(r.get("geo") or {})) is not None]
    assert wrong_traps == []


@pytest.mark.parametrize(("text", "expected"), [
    ("В Зерне на Арбате холодный кофе", "Зерно на Арбате"),
    ("Зерно у Курского вокзала", "Зерно у Курского"),
    ("в Зерне на Тверской", "Зерно на Тверской"),
    ("в пятницу в Зерне", None),  # Пятница is not Пятницкая
    ("Зерно в Твери на Тверской", None),  # Тверь, another town
    ("Садовник из Зерна", None),  # Садовник is not Садовая
    ("Маяковского читал в Зерне", None),  # the poet, not the station
    ("На Тверском бульваре рядом с Зерном", None),
])
def test_word_forms_and_look_alikes(index: LocationIndex, text: str,
                                    expected: str | None) -> None:
    assert _where(index, text) == expected


def test_house_number_picks_between_locations_on_one_street() -> None:
    sites = [Site(1, "Тверская 12", "Москва, Тверская ул., 12"),
             Site(2, "Тверская 22", "Москва, Тверская ул., 22")]
    index = LocationIndex(sites, russian_places(), ["Зерно"])
    assert _where(index, "Зерно на Тверской, 22 — холодно") == "Тверская 22"
    assert _where(index, "Зерно, Тверская д. 12") == "Тверская 12"
    assert _where(index, "Зерно на Тверской") is None  # two fit equally: a person decides


def test_the_brand_must_be_near_when_the_text_names_it(index: LocationIndex) -> None:
    far = ("Гуляли весь день по Арбату, потом долго ехали домой на метро через весь город "
           "и уже дома заказали доставку из Зерна")
    assert _where(index, far) is None
    assert _where(index, "Холодный кофе на Арбате, второй раз") == "Зерно на Арбате"


def test_a_common_noun_alias_needs_its_capital(index: LocationIndex) -> None:
    sites = [Site(1, "Сокол", "Москва, Ленинградский пр-т, 75", aliases=("Сокол",))]
    index = LocationIndex(sites, russian_places(), ["Зерно"])
    assert _where(index, "Зерно на Соколе") == "Сокол"
    assert _where(index, "в Зерне сокол залетел в окно") is None


def test_coordinates_nearest_within_the_radius(index: LocationIndex) -> None:
    assert _where(index, "кофе", 55.7520, 37.5955) == "Зерно на Арбате"
    assert _where(index, "кофе", 55.80, 37.70) is None
    narrow = LocationIndex(_sites(), russian_places(), ["Зерно"], radius_m=50)
    assert _where(narrow, "кофе", 55.7520, 37.5955) is None
    assert 50 < distance_m(55.7520, 37.5955, 55.7515, 37.5960) < 100


def test_coordinates_come_first_then_words_then_the_place() -> None:
    sites = [Site(1, "Арбат", "Москва, ул. Арбат, 10", 55.7515, 37.5960, places=("vk:-7",)),
             Site(2, "Тверская", "Москва, Тверская ул., 12", 55.7627, 37.6070)]
    index = LocationIndex(sites, russian_places(), ["Зерно"])
    found = index.locate("Зерно на Арбате", 55.7627, 37.6070)
    assert found is not None and (found.site.name, found.how) == ("Тверская", "geo")
    found = index.locate("Зерно на Тверской", place="vk:-7")
    assert found is not None and (found.site.name, found.how) == ("Тверская", "text")
    found = index.locate("Зерно: отличный кофе", place="vk:-7")
    assert found is not None and (found.site.name, found.how) == ("Арбат", "place")


def test_a_thousand_locations_index() -> None:
    sites = [Site(i, f"Точка {i}", f"Москва, ул. Улица{i}, {i}", 55.5 + i / 2000, 37.3 + i / 2000)
             for i in range(1000)]
    index = LocationIndex(sites, russian_places(), ["Зерно"])
    assert _where(index, "кофе", 55.5 + 500 / 2000, 37.3 + 500 / 2000) == "Точка 500"
