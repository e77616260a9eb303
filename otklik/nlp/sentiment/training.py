"""Fitting the per-language pipelines, and the measures the benchmarks report.

Features: TF-IDF over stems, stem bigrams and negation-aware lexicon tags, joined with TF-IDF over
character 1–5-grams (robust to misspellings and Russian inflection); logistic regression with
balanced class weights (the official measures average over classes, so rare classes matter).
Texts that model is unsure of are then refined by a USE-embedding classifier (`embedding.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score
from sklearn.pipeline import FeatureUnion, Pipeline

from otklik.nlp.sentiment import corpus
from otklik.nlp.sentiment.charngrams import CharNgramVectorizer
from otklik.nlp.sentiment.corpus import Corpus
from otklik.nlp.sentiment.datasets import LABELS, Example
from otklik.nlp.sentiment.embedding import Cascade, fit_cascade
from otklik.nlp.sentiment.lexicon import Analyzer
from otklik.nlp.sentiment.model import SentimentModel
from otklik.nlp.sentiment.text import prepare
from otklik.nlp.sentiment.wordvec import WordVectors


@dataclass
class LangConfig:
    """Hyper-parameters of one language's pipeline (chosen on held-back splits)."""

    C: float = 2.0
    char_range: tuple[int, int] = (1, 5)
    char_analyzer: str = "char"
    char_max_features: int = 300_000
    word_max_features: int = 200_000
    min_df: int = 2
    class_weight: str | None = "balanced"
    target_window: int = 2
    # The embedding cascade (None: TF-IDF only): the head's hidden units, the first-stage top
    # probability under which a text is refined, and the weight of the head's log-probabilities.
    cascade_hidden: int | None = 512
    cascade_below: float = 0.7
    cascade_weight: float = 0.35
    cascade_seeds: tuple[int, ...] = (13, 1, 2)  # one network per seed, probabilities averaged


@dataclass
class TrainConfig:
    langs: dict[str, LangConfig] = field(
        # Russian's head reads word vectors beside USE and earns a larger say; English texts
        # between 0.65 and 0.7 gained nothing from the second stage (model card).
        default_factory=lambda: {
            "ru": LangConfig(cascade_weight=0.5),
            "en": LangConfig(cascade_below=0.65),
        }
    )


def build_pipeline(lang: str, lexicon: dict[str, float], cfg: LangConfig) -> Pipeline:
    words = TfidfVectorizer(
        analyzer=Analyzer(lang, lexicon, window=cfg.target_window),
        sublinear_tf=True,
        min_df=cfg.min_df,
        max_features=cfg.word_max_features,
        dtype=_float32(),
    )
    chars = CharNgramVectorizer(
        analyzer=cfg.char_analyzer,
        ngram_range=cfg.char_range,
        sublinear_tf=True,
        min_df=cfg.min_df,
        max_features=cfg.char_max_features,
        dtype=_float32(),
    )
    clf = LogisticRegression(C=cfg.C, max_iter=2000, class_weight=cfg.class_weight)
    return Pipeline(
        [("features", FeatureUnion([("words", words), ("chars", chars)])), ("clf", clf)]
    )


def _float32() -> Any:
    import numpy as np

    return np.float32


def fit_lang(
    examples: Sequence[Example],
    lang: str,
    lexicon: dict[str, float],
    cfg: LangConfig,
    weights: Sequence[float] | None = None,
) -> Pipeline:
    """One language's pipeline fitted on prepared (normalised, brand-masked) texts."""
    docs = [prepare(e.text, e.brand) for e in examples]
    pipe = build_pipeline(lang, lexicon, cfg)
    pipe.fit(docs, [e.label for e in examples], clf__sample_weight=weights)
    _drop_stop_words(pipe)
    return pipe


def _drop_stop_words(pipe: Pipeline) -> None:
    # TfidfVectorizer keeps every pruned term in `stop_words_`, which only bloats the artifact.
    for _, vec in pipe.named_steps["features"].transformer_list:
        if hasattr(vec, "stop_words_"):
            vec.stop_words_ = None


def fit_model(
    by_lang: Mapping[str, Sequence[Example]],
    lexicons: dict[str, dict[str, float]],
    config: TrainConfig | None = None,
    weights: Mapping[str, Sequence[float]] | None = None,
    meta: dict[str, Any] | None = None,
    words: Mapping[str, WordVectors] | None = None,
) -> SentimentModel:
    """Per language: the TF-IDF pipeline, and the cascade (with that language's word vectors
    beside USE when `words` has them)."""
    cfg = config or TrainConfig()
    models: dict[str, Pipeline] = {}
    cascades: dict[str, Cascade] = {}
    for lang, exs in by_lang.items():
        if not exs:
            continue
        lcfg = cfg.langs.get(lang, LangConfig())
        w = (weights or {}).get(lang)
        models[lang] = fit_lang(exs, lang, lexicons.get(lang, {}), lcfg, w)
        if lcfg.cascade_hidden is not None:
            cascades[lang] = fit_cascade(
                [e.text for e in exs],
                [e.label for e in exs],
                w,
                lcfg.cascade_hidden,
                lcfg.cascade_below,
                lcfg.cascade_weight,
                (words or {}).get(lang),
                lcfg.cascade_seeds,
            )
    return SentimentModel(models, meta, cascades)


def official_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """SentiRuEval's measure: macro-average of F1 over the positive and negative classes."""
    return float(
        f1_score(gold, pred, labels=["negative", "positive"], average="macro", zero_division=0)
    )


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    return float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0))


def macro_recall(gold: Sequence[str], pred: Sequence[str]) -> float:
    return float(recall_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0))


def evaluate(model: SentimentModel, examples: Sequence[Example]) -> dict[str, float]:
    """All three measures of a model on labelled examples (brand-targeted when they name one)."""
    preds = model.predict(
        [e.text for e in examples], [e.lang for e in examples], [e.brand for e in examples]
    )
    gold = [e.label for e in examples]
    got = [p["label"] for p in preds]
    return {
        "official_f1": official_f1(gold, got),
        "macro_f1": macro_f1(gold, got),
        "macro_recall": macro_recall(gold, got),
        "n": float(len(examples)),
    }


def lexicons_from(data_dir: Path) -> dict[str, dict[str, float]]:
    """Russian lexicons from `<data>/extra/lexicons` when present; VADER's always."""
    from otklik.nlp.sentiment.lexicon import english_lexicon, russian_lexicon

    lex_dir = data_dir / "extra" / "lexicons"
    ru = russian_lexicon(lex_dir) if (lex_dir / "kartaslovsent_ru.csv").is_file() else {}
    return {"ru": ru, "en": english_lexicon()}


def train_from_dir(
    data_dir: Path,
    mode: str = "release",
    extra: dict[str, list[Example]] | None = None,
    extra_weight: float = 1.0,
    config: TrainConfig | None = None,
    navec: Path | None = None,
    words: Mapping[str, WordVectors] | None = None,
) -> tuple[SentimentModel, Corpus]:
    """Fit on a data folder (see `corpus.build`), plus `extra` examples weighted `extra_weight`.

    Russian word vectors for the cascade come from `words` (a model's own table, when retraining)
    or are cut from the navec file `navec` for the training texts; with neither, USE alone.
    """
    corp = corpus.build(data_dir, mode)
    by_lang: dict[str, list[Example]] = {k: list(v) for k, v in corp.train.items()}
    weights: dict[str, list[float]] = {k: [1.0] * len(v) for k, v in by_lang.items()}
    for lang, exs in (extra or {}).items():
        by_lang.setdefault(lang, []).extend(exs)
        weights.setdefault(lang, []).extend([extra_weight] * len(exs))
    meta = {
        "mode": mode,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "examples": {k: len(v) for k, v in by_lang.items()},
        "extra_examples": {k: len(v) for k, v in (extra or {}).items()},
    }
    if words is None and navec is not None and by_lang.get("ru"):
        words = {"ru": WordVectors.from_navec(navec, [e.text for e in by_lang["ru"]])}
    meta["word_vectors"] = {lang: len(table.index) for lang, table in (words or {}).items()}
    model = fit_model(by_lang, lexicons_from(data_dir), config, weights, meta, words)
    return model, corp
