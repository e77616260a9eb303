"""The customer's first name, for a personal reply ("Ольга, простите нас…").

A wrong name in an apology is worse than none, so every rule here errs towards `None`:

- the display name must look like a person's name as a whole: a first name (pymorphy3 `Name` tag
  from the dictionary, never a guess) with only surnames, patronymics, initials or unknown
  capitalised words beside it. "Роман Иванов" gives Роман; "Вера в лучшее", "Слава Украине" and
  "Роман-газета" give nothing, though Вера, Слава and Роман are names;
- Latin display names need a first name known to gender-guesser's list and no business word
  ("Delta Airlines" gives nothing, "Olga Petrova" gives Olga);
- in the text only a self-introduction counts ("меня зовут Ольга", "С уважением, Ольга",
  "— Ольга" at the end, "my name is John", "Regards, John"). A name after a greeting is the person
  addressed (often the brand's agent), never the customer's.

The name comes back in the nominative, capitalised: "Ольгой" → "Ольга".
"""

from __future__ import annotations

import re
import threading
from typing import Any

from otklik.nlp.lang import russian_morph

_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?", re.UNICODE)
_CYR_RE = re.compile(r"[а-яё]", re.IGNORECASE)
_NAME_WORD = r"([A-ZА-ЯЁ][a-zа-яё]+)"

# Self-introductions. The captured word must still pass the dictionary check.
_INTRO_RE = [
    re.compile(p, re.UNICODE)
    for p in (
        r"(?i:меня\s+зовут|зовут\s+меня|мо[её]\s+имя)\s+" + _NAME_WORD,
        r"(?i:с\s+уважением)\s*,?\s*\n?\s*" + _NAME_WORD + r"\s*[.!]?\s*$",
        r"(?:^|[.!?]\s+|\n)(?i:это|я)\s+" + _NAME_WORD + r"\s*(?:[,.!]|$)",
        r"(?:^|\n|\s)[-—–]\s*" + _NAME_WORD + r"\s*$",
        r"(?i:my\s+name\s+is|my\s+name's)\s+" + r"([A-Z][a-z]+)",
        r"(?:^|[.!?]\s+)(?:I'm|I\s+am|[Tt]his\s+is)\s+([A-Z][a-z]+)\s*(?:[,.!]|$)",
        r"(?i:regards|sincerely|yours)\s*,\s*\n?\s*([A-Z][a-z]+)\s*[.!]?\s*$",
    )
]

# Words that make a Latin display name an organisation's, not a person's.
_BUSINESS = frozenset(
    {
        "air", "airline", "airlines", "airways", "bank", "support", "official", "news",
        "shop", "store", "team", "service", "services", "inc", "ltd", "llc", "co", "corp",
        "company", "group", "care", "help", "media", "tv", "radio", "club", "cafe",
        "coffee", "tech", "travel", "hotel", "hotels", "app", "bot", "fan", "fans", "daily",
        "online", "info", "russia", "usa", "uk"
    }
)
# English words that gender-guesser also lists as first names; alone they are not names.
_EN_WORDS_AS_NAMES = frozenset(
    {
        "love", "hope", "faith", "grace", "joy", "jet", "may", "june", "april", "summer",
        "rose", "lily", "ruby", "crystal", "star", "sky", "river", "dawn", "amber", "angel",
        "honey", "sunny", "king", "prince", "guy", "bill", "mark", "pat", "sue", "rich",
        "will", "art", "chase", "hunter", "cash", "gay", "happy", "lucky", "baby", "sweet",
        "brown", "white", "black", "green", "page", "major"
    }
)
_NAME_LATIN_GENDERS = frozenset({"male", "female", "mostly_male", "mostly_female", "andy"})
_CACHE_MAX = 50_000
_SINGLE_NAME_MIN_SCORE = 0.04  # "Слава" as a name scores 0.049, "Роман" 0.073


class NameFinder:
    """Finds customers' first names; holds the (lazily loaded, shared) morphology and name list."""

    def __init__(self, morph: Any | None = None) -> None:
        self._morph = morph
        self._gender: Any | None = None
        self._lock = threading.Lock()
        self._display_cache: dict[str, str | None] = {}

    @property
    def morph(self) -> Any:
        if self._morph is None:
            with self._lock:
                if self._morph is None:
                    self._morph = russian_morph()
        return self._morph

    @property
    def gender(self) -> Any:
        if self._gender is None:
            with self._lock:
                if self._gender is None:
                    from gender_guesser.detector import Detector

                    self._gender = Detector(case_sensitive=False)
        return self._gender

    # --- Russian -------------------------------------------------------------------------------
    def _ru_name(self, word: str, *, min_score: float = 0.0) -> str | None:
        """Nominative first name if `word` is one by the dictionary, else None."""
        low = word.lower()
        if not self.morph.word_is_known(low):
            return None
        names = [p for p in self.morph.parse(low) if "Name" in p.tag and "sing" in p.tag]
        if not names:
            return None
        nomn = [p for p in names if "nomn" in p.tag]
        by_lemma: dict[str, float] = {}
        for p in nomn or names:
            by_lemma[p.normal_form] = by_lemma.get(p.normal_form, 0.0) + p.score
        lemma, score = max(by_lemma.items(), key=lambda kv: kv[1])
        if score < min_score or score < 0.7 * sum(by_lemma.values()):
            return None  # "Марину": Марина or Марин? Unsure, so no name.
        return str(lemma).capitalize()

    def _ru_companion_ok(self, word: str) -> bool:
        """Beside a first name: a surname, patronymic, initial, or an unknown capitalised word."""
        if len(word) == 1 or (len(word) == 2 and word.endswith(".")):
            return True
        low = word.lower()
        if not self.morph.word_is_known(low):
            return True
        for p in self.morph.parse(low):
            if "Surn" in p.tag or "Patr" in p.tag:
                return True
            if p.tag.POS == "ADJF" and "nomn" in p.tag and p.score >= 0.3:  # Белая, Толстой
                return True
        return False

    # --- display names -------------------------------------------------------------------------
    def from_display_name(self, display: str | None) -> str | None:
        """First name from an account's display name, or None when it is not clearly a person's."""
        if not display:
            return None
        return self._display_cached(display.strip())

    def _display_cached(self, display: str) -> str | None:
        """Authors post many times: remember each display name's answer (bounded)."""
        if display in self._display_cache:
            return self._display_cache[display]
        result = self._from_display(display)
        if len(self._display_cache) >= _CACHE_MAX:
            self._display_cache.clear()
        self._display_cache[display] = result
        return result

    def _from_display(self, display: str) -> str | None:
        raw = [w for w in re.split(r"[\s_.]+", display) if w]
        words = [w for w in raw if _WORD_RE.fullmatch(w)]
        if not words or len(words) > 3 or len(words) < len(raw) - 1:
            return None  # digits, symbols or a whole phrase: a nickname, not a name
        all_caps = all(w.isupper() for w in words) and len(words) > 1
        if not all(w[0].isupper() and (len(w) == 1 or w[1:].islower() or all_caps) for w in words):
            return None  # "Вера в лучшее": a lowercase word means a phrase
        if _CYR_RE.search(display):
            return self._ru_display(words)
        return self._latin_display(words)

    def _ru_display(self, words: list[str]) -> str | None:
        if len(words) == 1:
            return self._ru_name(words[0], min_score=_SINGLE_NAME_MIN_SCORE)
        for i, word in enumerate(words):
            name = self._ru_name(word)
            if name is None:
                continue
            others = words[:i] + words[i + 1 :]
            if all(self._ru_companion_ok(o) for o in others):
                return name
            return None
        return None

    def _latin_name(self, word: str) -> str | None:
        if len(word) < 2 or word.lower() in _BUSINESS:
            return None
        if self.gender.get_gender(word) not in _NAME_LATIN_GENDERS:
            return None
        return word.capitalize()

    def _latin_display(self, words: list[str]) -> str | None:
        if any(w.lower() in _BUSINESS for w in words):
            return None
        if len(words) == 1 and words[0].lower() in _EN_WORDS_AS_NAMES:
            return None
        return self._latin_name(words[0])

    # --- text ----------------------------------------------------------------------------------
    def from_text(self, text: str | None) -> str | None:
        """First name the author gives for themself in the text (self-introduction or signature)."""
        if not text:
            return None
        text = text.strip()
        for rx in _INTRO_RE:
            m = rx.search(text)
            if not m:
                continue
            word = m.group(1)
            name = self._ru_name(word) if _CYR_RE.search(word) else self._latin_name(word)
            if name:
                return name
        return None

    def find(self, display_name: str | None, text: str | None) -> str | None:
        """The customer's first name: a self-introduction in the text wins over the display name."""
        return self.from_text(text) or self.from_display_name(display_name)


_shared: NameFinder | None = None


def shared_finder() -> NameFinder:
    """One finder per process: pymorphy3 and the name list load once."""
    global _shared
    if _shared is None:
        _shared = NameFinder()
    return _shared


def customer_name(display_name: str | None, text: str | None) -> str | None:
    """Convenience over the shared finder."""
    return shared_finder().find(display_name, text)
