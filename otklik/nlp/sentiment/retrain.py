"""Retraining with analysts' corrections, and the before/after figures on corrections held back.

Corrections are few and precious, so they are weighted above the base data; a fixed share of
them is held back (never trained on) so "after" is measured on text the new model did not see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from otklik.nlp.sentiment.corpus import split
from otklik.nlp.sentiment.datasets import Example
from otklik.nlp.sentiment.model import SentimentModel
from otklik.nlp.sentiment.training import evaluate, train_from_dir

CORRECTION_WEIGHT = 3.0


@dataclass
class RetrainReport:
    model: SentimentModel
    trained_corrections: int
    heldout_corrections: int
    # measure → (before, after); on held-back corrections, or on the trained ones when none held
    figures: dict[str, tuple[float, float]]
    measured_on: str


def _accuracy(model: SentimentModel, exs: Sequence[Example]) -> float:
    preds = model.predict([e.text for e in exs], [e.lang for e in exs], [e.brand for e in exs])
    return sum(p["label"] == e.label for p, e in zip(preds, exs, strict=True)) / len(exs)


def retrain(
    data_dir: Path,
    corrections: Sequence[Example],
    before: SentimentModel,
    holdback: float = 0.2,
    weight: float = CORRECTION_WEIGHT,
) -> RetrainReport:
    """Fit on the base data plus corrections; compare `before` and the new model."""
    if not 0.0 <= holdback < 1.0:
        raise ValueError("holdback must be in [0, 1)")
    train, held = split(corrections, holdback) if holdback > 0 else (list(corrections), [])
    by_lang: dict[str, list[Example]] = {}
    for e in train:
        by_lang.setdefault(e.lang, []).append(e)
    # The word vectors the base model carries are reused: navec's file is not needed to retrain.
    words = {lang: c.words for lang, c in before.cascades.items() if c.words is not None}
    model, _ = train_from_dir(data_dir, "release", extra=by_lang, extra_weight=weight, words=words)
    model.meta["corrections"] = len(train)
    target, where = (held, "held-back corrections") if held else (train, "trained corrections")
    figures: dict[str, tuple[float, float]] = {}
    if target:
        b, a = evaluate(before, target), evaluate(model, target)
        figures["accuracy"] = (_accuracy(before, target), _accuracy(model, target))
        for measure in ("macro_f1", "official_f1"):
            figures[measure] = (b[measure], a[measure])
    return RetrainReport(model, len(train), len(held), figures, where)
