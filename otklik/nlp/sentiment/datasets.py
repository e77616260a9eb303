"""Readers for the labelled sentiment sets in the shared data folder, as uniform examples.

SentiRuEval rows give one example per brand mention (the official unit of evaluation), with the
brand slug kept so the text can be masked toward it. Labels outside the three classes
(SentiRuEval's mixed "+-" / "--", RuSentiTweet's "skip" and "speech") are dropped.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LABELS = ("negative", "neutral", "positive")
_SRE = {"-1": "negative", "0": "neutral", "1": "positive"}

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    lang: str
    brand: str | None = None
    source: str = ""


def _rows(path: Path, delimiter: str = ",") -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        if delimiter == "\t":
            yield from csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        else:
            yield from csv.DictReader(f, delimiter=delimiter)


def sentirueval(path: Path) -> list[Example]:
    """One example per (tweet, brand) pair of a SentiRuEval-2015 file."""
    out = []
    for row in _rows(path):
        for pair in row["entities"].split(";"):
            brand, _, value = pair.rpartition(":")
            if value in _SRE:
                out.append(Example(row["text"], _SRE[value], "ru", brand, path.stem))
    return out


def rusentitweet(path: Path) -> list[Example]:
    return [
        Example(r["text"], r["label"], "ru", None, "rusentitweet")
        for r in _rows(path)
        if r["label"] in LABELS
    ]


def airline(path: Path) -> list[Example]:
    return [
        Example(r["text"], r["airline_sentiment"], "en", None, "airline")
        for r in _rows(path)
        if r["airline_sentiment"] in LABELS
    ]


def tweeteval(path: Path) -> list[Example]:
    names = {"0": "negative", "1": "neutral", "2": "positive"}
    return [
        Example(r["text"], names[r["label"]], "en", None, "tweeteval")
        for r in _rows(path, "\t")
        if r.get("label") in names
    ]


def semeval(path: Path) -> list[Example]:
    """SemEval 2013–2016 Task 4A tweets; the source names the original file ("2016test")."""
    return [
        Example(r["text"], r["label"], "en", None, "semeval:" + _edition(r.get("source_file")))
        for r in _rows(path, "\t")
        if r.get("label") in LABELS and r.get("text")
    ]


def _edition(source_file: str | None) -> str:
    # "twitter-2016test-A.tsv" -> "2016test"
    return (source_file or "").removeprefix("twitter-").removesuffix(".tsv").removesuffix("-A")


def labelled_sentences(path: Path, text_col: str, label_col: str, lang: str) -> list[Example]:
    """Generic reader for sets with a text column and a negative/neutral/positive column."""
    delimiter = "\t" if path.suffix == ".tsv" else ","
    return [
        Example(r[text_col], r[label_col], lang, None, path.stem)
        for r in _rows(path, delimiter)
        if r.get(label_col) in LABELS and r.get(text_col)
    ]
