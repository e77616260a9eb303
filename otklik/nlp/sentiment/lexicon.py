"""Polarity lexicons turned into features: stems, stem bigrams and negation-aware lexicon tags.

A linear model over word n-grams cannot tell "хороший" from an unseen "хорошенький"; a stemmed
lexicon hit can. The lexicon (stem → polarity in [-1, 1]) is built once at training time from
RuSentiLex / KartaSlovSent (Russian) and VADER (English) and stored inside the artifact, so
nothing is read from disk or the network at prediction time.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import snowballstemmer

from otklik.nlp.sentiment.text import TARGET

_WORD = re.compile(r"[#@]?\w+(?:'\w+)?|[!?]+|[)(]{2,}|[:;]-?[)(DPp]")
_NEGATORS = frozenset({
    "не", "нет", "ни", "никогда", "ничего", "нельзя", "без",
    "not", "no", "never", "nothing", "nobody", "cannot", "cant", "dont", "doesnt", "didnt", "isnt",
    "wasnt", "wont", "arent", "aren't", "don't", "doesn't", "didn't", "isn't", "wasn't", "won't",
    "can't",
})
_NEG_SPAN = 3
_STEMMERS = {"ru": "russian", "en": "english"}


class Stemmer:
    """A cached snowball stemmer (pickles by language name, not by its state)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._stemmer = snowballstemmer.stemmer(_STEMMERS.get(lang, "english"))
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            stem = self._stemmer.stemWord(word) if word.isalpha() else word
            if len(self._cache) < 500_000:
                self._cache[word] = stem
        return stem

    def __getstate__(self) -> dict[str, str]:
        return {"lang": self.lang}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__init__(state["lang"])  # type: ignore[misc]


class Analyzer:
    """Text (already prepared) → stem unigrams, stem bigrams and lexicon polarity tags."""

    def __init__(
        self, lang: str, lexicon: dict[str, float], bigrams: bool = True, window: int = 0
    ) -> None:
        self.lang = lang
        self.lexicon = lexicon
        self.bigrams = bigrams
        self.window = window  # words this close to the target brand also count as "t:" features
        self.stem = Stemmer(lang)

    def __call__(self, doc: str) -> list[str]:
        words = _WORD.findall(doc)
        stems = [self.stem(w) for w in words]
        out = list(stems)
        if self.bigrams:
            out.extend(f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False))
        near = self._near_target(words)
        negated = 0
        for i, (word, stem) in enumerate(zip(words, stems, strict=True)):
            if word in _NEGATORS:
                negated = _NEG_SPAN
                continue
            tag = None
            score = self.lexicon.get(stem)
            if score is not None and abs(score) >= 0.25:
                tag = "lexpos" if score > 0 else "lexneg"
                if abs(score) >= 0.7:
                    tag += "_strong"
                tag = f"__{'not_' if negated else ''}{tag}"
                out.append(tag)
            if i in near:
                out.append(f"t:{stem}")
                if tag:
                    out.append(f"t:{tag}")
            if negated:
                negated -= 1
        return out

    def _near_target(self, words: list[str]) -> set[int]:
        window = getattr(self, "window", 0)
        if not window:
            return set()
        spots = [i for i, w in enumerate(words) if w == TARGET]
        return {j for i in spots for j in range(i - window, i + window + 1) if j != i}


def _add(table: dict[str, list[float]], stem: Stemmer, word: str, score: float) -> None:
    word = word.strip().lower().replace("ё", "е")
    if word and " " not in word:
        table[stem(word)].append(max(-1.0, min(1.0, score)))


def _mean(table: dict[str, list[float]]) -> dict[str, float]:
    return {k: round(sum(v) / len(v), 3) for k, v in table.items() if v}


def russian_lexicon(lexicon_dir: Path) -> dict[str, float]:
    """RuSentiLex 2017 and KartaSlovSent (non-neutral entries), averaged per stem."""
    stem = Stemmer("ru")
    table: dict[str, list[float]] = defaultdict(list)
    with (lexicon_dir / "rulexicon_hash_sentiment_rusentilex_2017.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            _add(table, stem, row["token"], float(row["score"]))
    with (lexicon_dir / "kartaslovsent_ru.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if row["tag"] != "NEUT":
                _add(table, stem, row["term"], float(row["value"]))
    return _mean(table)


def english_lexicon() -> dict[str, float]:
    """The VADER lexicon (shipped in the vaderSentiment wheel), scaled to [-1, 1], per stem."""
    import vaderSentiment

    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    stem = Stemmer("en")
    table: dict[str, list[float]] = defaultdict(list)
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0].isalpha():
                _add(table, stem, parts[0], float(parts[1]) / 4.0)
    return _mean(table)
