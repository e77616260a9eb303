"""The trained sentiment model: one classifier per language, loaded once, predicting in batches.

The artifact is a joblib file holding, per language, a scikit-learn pipeline over prepared text
(see `text.prepare`) and, optionally, the embedding cascade that refines the texts the pipeline is
unsure of (see `embedding.Cascade`; artifacts without one predict with the pipeline alone). It is
a pickle: load only artifacts you built (the packaged one, or one
written by `otklik train-sentiment`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from otklik.nlp.sentiment.datasets import LABELS
from otklik.nlp.sentiment.embedding import Cascade
from otklik.nlp.sentiment.text import prepare, script_lang

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "models" / "sentiment.joblib"
FORMAT = 1

_cache: dict[Path, SentimentModel] = {}
_lock = threading.Lock()


class ModelError(Exception):
    """The artifact is missing or not a sentiment model of this format."""


class SentimentModel:
    """Per-language classifiers behind one `predict` call."""

    def __init__(
        self,
        models: dict[str, Any],
        meta: dict[str, Any] | None = None,
        cascades: dict[str, Cascade] | None = None,
    ) -> None:
        if not models:
            raise ModelError("a sentiment model needs at least one language")
        self.models = models
        self.cascades = dict(cascades or {})
        self.meta = dict(meta or {})
        self.fallback = "en" if "en" in models else next(iter(models))

    @classmethod
    def load(cls, path: str | Path | None = None) -> SentimentModel:
        """The model at `path` (default: the packaged artifact), read from disk once per process."""
        p = Path(path).resolve() if path is not None else DEFAULT_PATH
        with _lock:
            model = _cache.get(p)
            if model is None:
                model = _cache[p] = cls._read(p)
        return model

    @classmethod
    def _read(cls, path: Path) -> SentimentModel:
        if not path.is_file():
            raise ModelError(f"no sentiment model at {path}")
        try:
            blob = joblib.load(path)
        except Exception as exc:  # a truncated or foreign file
            raise ModelError(f"{path}: not a readable sentiment model ({exc})") from exc
        if not isinstance(blob, dict) or blob.get("format") != FORMAT:
            raise ModelError(f"{path}: not a sentiment model of format {FORMAT}")
        return cls(blob["models"], blob.get("meta"), blob.get("cascades"))

    def save(self, path: str | Path) -> Path:
        """Write the artifact (compressed) and forget any cached copy of that path."""
        p = Path(path).resolve()
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(p.suffix + ".tmp")
        blob = {
            "format": FORMAT,
            "models": self.models,
            "meta": self.meta,
            "cascades": self.cascades,
        }
        joblib.dump(blob, tmp, compress=3)
        tmp.replace(p)
        with _lock:
            _cache.pop(p, None)
        return p

    def lang_of(self, text: str, lang: str | None) -> str:
        """The sub-model for a text: its given language if modelled, else guessed from script."""
        if lang:
            code = lang.lower().split("-")[0]
            if code in self.models:
                return code
            if code in ("uk", "be", "kk") and "ru" in self.models:
                return "ru"
        guess = script_lang(text)
        return guess if guess in self.models else self.fallback

    def predict(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        brands: Sequence[str | Sequence[str] | None] | None = None,
    ) -> list[dict[str, Any]]:
        """Label and class probabilities per text, toward `brands[i]` when given."""
        probs = self.probabilities(texts, langs, brands)
        return [
            {
                "label": LABELS[int(row.argmax())],
                "scores": {label: round(float(v), 4) for label, v in zip(LABELS, row, strict=True)},
            }
            for row in probs
        ]

    def probabilities(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        brands: Sequence[str | Sequence[str] | None] | None = None,
        cascade: bool = True,
    ) -> np.ndarray:
        """Class probabilities (columns in LABELS order); `cascade=False`: the first stage only."""
        n = len(texts)
        if langs is not None and len(langs) != n or brands is not None and len(brands) != n:
            raise ValueError("texts, langs and brands must have the same length")
        groups: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            code = self.lang_of(text, langs[i] if langs is not None else None)
            groups.setdefault(code, []).append(i)
        probs = np.zeros((n, len(LABELS)))
        for code, idx in groups.items():
            pipe = self.models[code]
            docs = [prepare(texts[i], brands[i] if brands is not None else None) for i in idx]
            p = pipe.predict_proba(docs)[:, [list(pipe.classes_).index(lb) for lb in LABELS]]
            if cascade and code in self.cascades:
                p = self.cascades[code].refine([texts[i] for i in idx], p)
            probs[idx] = p
        return probs

    def unsure_share(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> float:
        """The share of `texts` the cascade would send to its embedding stage (0 without one)."""
        if not texts:
            return 0.0
        first = self.probabilities(texts, langs, cascade=False).max(axis=1)
        codes = [self.lang_of(t, langs[i] if langs else None) for i, t in enumerate(texts)]
        below = np.array([c.below if (c := self.cascades.get(code)) else 0.0 for code in codes])
        return float(np.mean(first < below))
