"""Word forms of a query term, computed once when a query is compiled.

Russian: pymorphy3 gives the lexeme (every inflection) of the paradigms whose lemma is the term,
so `кофейня` yields кофейне, кофеен, кофейнями… English: candidate inflections (plural, -ed,
-ing, -er, -ly, y→ies, doubled consonants…) are generated and kept when the Snowball stemmer
gives them the term's stem. Mentions then need no morphology at all: a term matches a token when
the token is in the term's form set, a hash lookup.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pymorphy3
import snowballstemmer

from otklik.query.matcher import normalise

_CYR = re.compile(r"[а-яё]")
_LAT_WORD = re.compile(r"[a-z]+")
_CVC = re.compile(r"(?:^|[^aeiou])[aeiou][^aeiouwxy]$")
_EN_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "est", "ly", "ness", "ment", "ments")


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=100_000)
def english_stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=20_000)
def russian_forms(word: str) -> frozenset[str]:
    """All forms of the paradigms whose normal form is `word` (or of every parse if none is)."""
    parses = _morph().parse(word)
    own = [p for p in parses if normalise(p.normal_form) == word]
    chosen = own or parses
    forms = {word}
    for p in chosen:
        forms.update(normalise(f.word) for f in p.lexeme)
    return frozenset(forms)


def _english_bases(word: str) -> set[str]:
    bases = {word}
    for suf in ("ies", "ied"):
        if word.endswith(suf) and len(word) > 4:
            bases.add(word[: -len(suf)] + "y")
    for suf in _EN_SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 2:
            stem = word[: -len(suf)]
            bases.update({stem, stem + "e"})
            if len(stem) > 2 and stem[-1] == stem[-2]:
                bases.add(stem[:-1])
    return bases


def _english_candidates(base: str) -> set[str]:
    out = {base} | {base + s for s in _EN_SUFFIXES}
    out.add(base + "'s")
    if base.endswith("e"):
        out.update({base[:-1] + "ing", base[:-1] + "ed", base + "d", base[:-1] + "er"})
    if base.endswith("y") and len(base) > 2:
        out.update({base[:-1] + "ies", base[:-1] + "ied", base[:-1] + "ier", base[:-1] + "iest",
                    base[:-1] + "ily"})
    if len(base) >= 3 and _CVC.search(base):  # stop → stopped, run → running
        d = base + base[-1]
        out.update({d + "ed", d + "ing", d + "er", d + "ers"})
    return out


@lru_cache(maxsize=20_000)
def english_forms(word: str) -> frozenset[str]:
    """Inflections of an English word that share its Snowball stem."""
    stem = english_stem(word)
    forms = {word}
    for base in _english_bases(word):
        for cand in _english_candidates(base):
            if "'" not in cand and english_stem(cand) == stem:
                forms.add(cand)
    return frozenset(forms)


def word_forms(token: str) -> frozenset[str]:
    """The forms a (normalised) query token matches: itself plus its inflections."""
    if _CYR.search(token) and token.isalpha():
        return russian_forms(token)
    if _LAT_WORD.fullmatch(token):
        return english_forms(token)
    return frozenset({token})
