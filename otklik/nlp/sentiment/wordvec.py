"""Russian word vectors for the cascade's second stage: a cut of navec's `hudlit` vectors.

USE reads a post as a whole but knows Russian colloquial words poorly; navec's vectors were
trained on 12 billion words of Russian fiction and web text (Natasha project, MIT licence). The
mean vector of a text's words, beside its USE embedding, lifted the held-back SentiRuEval banks
and RuSentiTweet figures by ~0.02 (model card). navec stores each 300-d vector as 100 one-byte
codes into a shared codebook (product quantisation), so the words kept here — those of the
training texts plus the most frequent — cost ~100 bytes each inside the model artifact; nothing
is read from navec's files at run time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The navec file training reads (`make navec` puts it under build/navec/).
NAVEC_FILE = "navec_hudlit_v1_12B_500K_300d_100q.tar"
_LINK = re.compile(r"https?://\S+|www\.\S+|@\w+")
_WORD = re.compile(r"[^\W\d_]+")


def words_of(text: str) -> list[str]:
    """Lower-case letter runs of a post, links and @users left out (navec's word forms)."""
    return _WORD.findall(_LINK.sub(" ", text.lower().replace("ё", "е")))


@dataclass
class WordVectors:
    """Product-quantised word vectors: `codes[i]` picks one centroid per sub-space."""

    index: dict[str, int]
    codes: np.ndarray  # (words, sub-spaces) uint8
    codebook: np.ndarray  # (sub-spaces, centroids, sub-dimension) float32
    centre: np.ndarray | None = None  # the training texts' mean vector

    @property
    def dim(self) -> int:
        return int(self.codebook.shape[0] * self.codebook.shape[2])

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """Text vectors centred on the training texts' mean and scaled to unit length (like the
        USE embeddings they sit beside)."""
        vecs = self.vectors(texts)
        if self.centre is not None:
            vecs -= self.centre
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.maximum(norms, 1e-6)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """The mean vector of each text's known words (zeros for a text with none)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        spaces = np.arange(self.codebook.shape[0])
        for row, text in enumerate(texts):
            ids = [i for w in words_of(text) if (i := self.index.get(w)) is not None]
            if ids:
                parts = self.codebook[spaces, self.codes[ids]]  # (words, sub-spaces, sub-dim)
                out[row] = parts.mean(axis=0).reshape(-1)
        return out

    @classmethod
    def from_navec(cls, path: Path, texts: Sequence[str], top: int = 100_000) -> WordVectors:
        """The words of the training `texts` that navec knows plus its `top` most frequent (from
        a navec tar), centred on those texts."""
        from navec import Navec  # a training-time dependency only

        nv = Navec.load(str(path))
        counts = np.asarray(nv.vocab.counts)
        wanted = {w for t in texts for w in words_of(t) if w in nv.vocab}
        wanted.update(nv.vocab.words[int(i)] for i in np.argsort(-counts)[:top])
        wanted -= {"<unk>", "<pad>"}
        words = sorted(wanted)
        ids = np.array([nv.vocab[w] for w in words], dtype=np.int64)
        table = cls(
            {w: i for i, w in enumerate(words)},
            np.ascontiguousarray(nv.pq.indexes[ids], dtype=np.uint8),
            np.asarray(nv.pq.codes, dtype=np.float32),
        )
        table.centre = table.vectors(texts).mean(axis=0)
        return table
