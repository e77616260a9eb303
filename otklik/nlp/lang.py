"""Language of a post, restricted to the languages otklik supports (ru, en, uk + a brand's own).

Restricting lingua to a few languages makes it both faster and more accurate on short posts (no
"Bulgarian" for a three-word Russian tweet). Texts whose script settles the question skip lingua:
Latin letters only when English is the only Latin-script language, or Cyrillic with letters only
Russian (ы, э, ъ) or only Ukrainian (і, ї, є, ґ) has (ў, only Belarusian, gives `und`). When
lingua hesitates between Russian and Ukrainian on a short post, a text whose every word is in the
Russian dictionary (pymorphy3) is Russian ("Ого. Не знал."). Too few letters or a low confidence
gives `und`: a wrong language sends the post to the wrong model, an unknown one does not.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

from otklik.nlp.normalize import URL_RE, USER_RE, squeeze_repeats

UND = "und"
SUPPORTED = ("ru", "en", "uk")

_RU_ONLY = frozenset("ыэъёЫЭЪЁ")
_UK_ONLY = frozenset("іїєґІЇЄҐ")
_BE_ONLY = frozenset("ўЎ")
_CYR_WORD_RE = re.compile(r"[а-яё]{3,}")


@lru_cache(maxsize=1)
def russian_morph() -> Any:
    """The process's pymorphy3 analyser (loads a dictionary once; shared with names)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def all_russian_words(text: str) -> bool:
    """True when the text has Cyrillic words of 3+ letters and the Russian dictionary knows all."""
    words = _CYR_WORD_RE.findall(squeeze_repeats(text.lower(), 2))
    if not words:
        return False
    morph = russian_morph()
    return all(morph.word_is_known(w) for w in words)


def _language_of(code: str) -> Language:
    try:
        iso = IsoCode639_1.from_str(code.strip().lower())
    except ValueError as exc:
        raise ValueError(f"unknown language code {code!r} (expected ISO 639-1, e.g. 'de')") from exc
    return Language.from_iso_code_639_1(iso)


def _script_counts(text: str) -> tuple[int, int, int, set[str]]:
    """Letters in Latin, in Cyrillic, in other scripts, and the script-deciding letters seen."""
    lat = cyr = other = 0
    marks: set[str] = set()
    for ch in text:
        if not ch.isalpha():
            continue
        if ch.isascii():
            lat += 1
        elif "\u0400" <= ch <= "\u04ff":
            cyr += 1
            if ch in _RU_ONLY:
                marks.add("ru")
            elif ch in _BE_ONLY:
                marks.add("be")
            elif ch in _UK_ONLY:
                marks.add("uk")
        else:
            other += 1
    return lat, cyr, other, marks


class LanguageDetector:
    """A lingua detector over a fixed set of languages, with a script fast path.

    Building the lingua detector loads its models (about half a second), so build one per set of
    languages and reuse it: `detector_for()` caches them.
    """

    def __init__(
        self,
        languages: Iterable[str] = SUPPORTED,
        *,
        min_confidence: float = 0.7,
        min_letters: int = 3,
    ) -> None:
        codes = sorted({c.strip().lower() for c in languages if c.strip()})
        if not codes:
            raise ValueError("at least one language is needed")
        self.codes = tuple(codes)
        self.min_confidence = min_confidence
        self.min_letters = min_letters
        self._languages = [_language_of(c) for c in codes]
        self._lock = threading.Lock()
        self._lingua = None if len(codes) == 1 else (
            LanguageDetectorBuilder.from_languages(*self._languages).build()
        )
        latin = {"en"} if "en" in codes else set()
        cyrillic = {c for c in codes if c in ("ru", "uk")}
        others = set(codes) - latin - cyrillic
        # The fast path is exact only when no other language shares those scripts.
        self._fast = not others

    @staticmethod
    def _clean(text: str) -> str:
        text = URL_RE.sub(" ", text)
        return USER_RE.sub(" ", text).replace("#", " ")

    def _fast_path(self, text: str) -> str | None:
        """The answer when the letters alone settle it, `und` for too few, None to ask lingua."""
        lat, cyr, other, marks = _script_counts(text)
        letters = lat + cyr + other
        if letters < self.min_letters:
            return UND
        if not self._fast or other:
            return None
        if cyr == 0 and "en" in self.codes:
            return "en"
        if cyr >= 0.7 * letters:
            if "be" in marks:  # Belarusian, which this set does not support
                return UND
            if len(marks) == 1:
                (only,) = marks
                if only in self.codes:
                    return only
            if "ru" in self.codes and "uk" not in self.codes:
                return "ru"
            if "uk" in self.codes and "ru" not in self.codes:
                return "uk"
        return None

    def _from_confidences(self, values: Sequence[Any], text: str) -> str:
        if not values:
            return UND
        best = values[0]
        code = str(best.language.iso_code_639_1.name.lower())
        if best.value >= self.min_confidence:
            return code
        runner_up = str(values[1].language.iso_code_639_1.name.lower()) if len(values) > 1 else ""
        if {code, runner_up} == {"ru", "uk"} and all_russian_words(text):
            return "ru"
        return UND

    def detect(self, text: str) -> str:
        """ISO 639-1 code of the text's language, or `und`."""
        return self.detect_batch([text])[0]

    def detect_batch(self, texts: Sequence[str]) -> list[str]:
        """Languages of many texts; lingua runs once, in parallel, over those that need it."""
        out: list[str] = [UND] * len(texts)
        pending: list[int] = []
        cleaned: list[str] = []
        for i, text in enumerate(texts):
            clean = self._clean(text or "")
            fast = self._fast_path(clean)
            if fast is not None:
                out[i] = fast
            elif self._lingua is None:
                out[i] = self.codes[0]
            else:
                pending.append(i)
                cleaned.append(clean)
        if pending and self._lingua is not None:
            with self._lock:  # lingua's detector is not documented as thread-safe
                if len(cleaned) == 1:
                    results = [self._lingua.compute_language_confidence_values(cleaned[0])]
                else:
                    results = self._lingua.compute_language_confidence_values_in_parallel(cleaned)
            for i, values, clean in zip(pending, results, cleaned, strict=True):
                out[i] = self._from_confidences(values, clean)
        return out


@lru_cache(maxsize=16)
def _cached(codes: tuple[str, ...], min_confidence: float, min_letters: int) -> LanguageDetector:
    return LanguageDetector(codes, min_confidence=min_confidence, min_letters=min_letters)


def detector_for(
    extra: Iterable[str] = (), *, min_confidence: float = 0.7, min_letters: int = 3
) -> LanguageDetector:
    """The shared detector for ru, en, uk plus `extra` languages (built once per set)."""
    codes = tuple(sorted({*SUPPORTED, *(c.strip().lower() for c in extra if c.strip())}))
    return _cached(codes, min_confidence, min_letters)


def detect_languages(texts: Sequence[str], extra: Iterable[str] = ()) -> list[str]:
    """Batch convenience: languages of `texts` with the shared detector."""
    return detector_for(extra).detect_batch(texts)
