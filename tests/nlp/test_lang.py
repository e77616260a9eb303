"""Language: ru, en, uk on real posts; short and emoji-only text is `und`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otklik.nlp.lang import UND, LanguageDetector, detect_languages, detector_for

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "nlp" / "lang.jsonl"
ROWS = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


def test_fixture_languages_in_one_batch() -> None:
    got = detect_languages([r["text"] for r in ROWS])
    wrong = [(r["text"], r["lang"], g) for r, g in zip(ROWS, got, strict=True) if g != r["lang"]]
    assert wrong == []
    assert {r["lang"] for r in ROWS} == {"ru", "en", "uk", UND}


def test_one_text_and_the_batch_agree() -> None:
    detector = detector_for()
    for row in ROWS[:8]:
        assert detector.detect(row["text"]) == row["lang"]


def test_detector_is_built_once_per_language_set() -> None:
    assert detector_for() is detector_for([])
    assert detector_for(["de"]) is detector_for(["DE"])
    assert detector_for(["de"]) is not detector_for()


def test_added_language_is_detected_and_disables_the_latin_fast_path() -> None:
    text = "Guten Tag, ich warte seit zwei Wochen auf meine Bestellung"
    assert detector_for(["de"]).detect(text) == "de"
    assert detector_for().detect(text) == "en"  # restricted to ru/en/uk: Latin script is English


def test_cyrillic_without_marker_letters_goes_to_lingua() -> None:
    # no ы/э/ъ and no і/ї/є/ґ: the script alone cannot tell ru from uk
    assert detector_for().detect("Добрий день, де моя посилка") == "uk"
    assert detector_for().detect("Кто-нибудь знает, когда откроют") == "ru"


def test_belarusian_is_und_when_not_supported() -> None:
    # rusentitweet_train.csv, a Belarusian tweet
    assert detector_for().detect("@Belsat_TV Рэжым ужо зусім страціў прастору.") == UND


def test_low_confidence_is_und() -> None:
    # lingua gives German 0.58 / English 0.42: not enough to choose
    assert LanguageDetector(["en", "de"]).detect("Taxi Hotel Bar") == UND
    # ru 0.56 / uk 0.44, and "кайфово" is not in the Russian dictionary
    assert detector_for().detect("кайфово вау") == UND


def test_russian_dictionary_breaks_a_ru_uk_tie() -> None:
    # lingua: ru 0.54 / uk 0.46; every word is Russian (uk would be "знав")
    assert detector_for().detect("@Foxy_methoxy Ого. Не знал.") == "ru"


def test_bad_language_code_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown language code 'zz'"):
        LanguageDetector(["ru", "zz"])
