"""Which labelled sets train the model, and which are held back to measure it.

Chosen by measuring on held-back splits (see the model card): the SentiRuEval-2015 banks and
telecoms sets, RuSentiTweet and OpenSentimentCorpus for Russian; the airline tweets and SemEval
2013–2016 tweets for English. CEDR, RuSentNE and Sanders did not help and are left out.

Three modes: "release" trains on everything (the packaged artifact); "holdout" keeps back the
SentiRuEval-2015 test sets, 20% of RuSentiTweet and of the airline tweets, and all of the
TweetEval validation set, so the benchmark measures on text the model never saw; "later" is
"holdout" that also keeps back SemEval's newest test set (2016), to see how the English model
holds up on tweets of a later time and other topics, as TweetEval's test set (SemEval-2017) is.
Files that are absent are skipped, so a small folder of the same layout (tests, a user's own
data) also works.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from otklik.nlp.sentiment import datasets as ds
from otklik.nlp.sentiment.datasets import Example
from otklik.nlp.sentiment.text import normalise

HOLDOUT_FRACTION = 0.2
SEED = 13
LATER = "semeval:2016test"  # SemEval's newest test set, kept back in the "later" mode


@dataclass
class Corpus:
    train: dict[str, list[Example]] = field(default_factory=lambda: {"ru": [], "en": []})
    heldout: dict[str, list[Example]] = field(default_factory=dict)

    def sizes(self) -> dict[str, int]:
        return {lang: len(exs) for lang, exs in self.train.items()}


def split(examples: Sequence[Example], fraction: float = HOLDOUT_FRACTION,
          seed: int = SEED) -> tuple[list[Example], list[Example]]:
    """A fixed random split (train, held back), the same on every run."""
    idx = list(range(len(examples)))
    random.Random(seed).shuffle(idx)
    back = set(idx[: int(len(examples) * fraction)])
    return ([e for i, e in enumerate(examples) if i not in back],
            [e for i, e in enumerate(examples) if i in back])


def _load(path: Path, reader: Callable[[Path], list[Example]]) -> list[Example]:
    return reader(path) if path.is_file() else []


def _osc(path: Path) -> list[Example]:
    return ds.labelled_sentences(path, "Sentence", "Sentiment", "ru")


def _key(text: str) -> str:
    """A loose identity of a tweet (TweetEval rewrote users, escapes and punctuation)."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"@\w+|url", "", normalise(text)))[:60]


def build(data_dir: Path, mode: str = "release") -> Corpus:
    """The training examples per language and the held-back sets, from a data folder."""
    if mode not in ("release", "holdout", "later"):
        raise ValueError(f"unknown mode {mode!r}")
    holdout = mode != "release"
    extra = data_dir / "extra"
    c = Corpus()
    for domain in ("banks", "telecoms"):
        c.train["ru"] += _load(data_dir / f"sentirueval2015_{domain}_train.csv", ds.sentirueval)
        test = _load(data_dir / f"sentirueval2015_{domain}_test.csv", ds.sentirueval)
        if holdout:
            c.heldout[f"sentirueval2015_{domain}_test"] = test
        else:
            c.train["ru"] += test
    rst = _load(data_dir / "rusentitweet_train.csv", ds.rusentitweet)
    air = _load(data_dir / "airline_tweets.csv", ds.airline)
    tweeteval = _load(data_dir / "tweeteval_sentiment_val.tsv", ds.tweeteval)
    if holdout:
        rst, c.heldout["rusentitweet_heldout"] = split(rst)
        air, c.heldout["airline_heldout"] = split(air)
        c.heldout["tweeteval_val"], tweeteval = tweeteval, []
    c.train["ru"] += rst + _load(extra / "opensentimentcorpus_ru_majority.csv", _osc)
    semeval = _load(extra / "semeval2013_2016_task4a_en.tsv", ds.semeval)
    if holdout:  # TweetEval's validation tweets come from SemEval 2013–2016: keep them out
        seen = {_key(e.text) for e in c.heldout["tweeteval_val"]}
        semeval = [e for e in semeval if _key(e.text) not in seen]
    if mode == "later":
        c.heldout["semeval2016_test"] = [e for e in semeval if e.source == LATER]
        semeval = [e for e in semeval if e.source != LATER]
    c.train["en"] += air + tweeteval + semeval
    c.heldout = {k: v for k, v in c.heldout.items() if v}
    return c
