"""The numpy character n-gram counter must give exactly sklearn's TF-IDF features."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from otklik.nlp.sentiment.charngrams import CharNgramVectorizer

TRAIN = [
    "сбербанк опять заблокировал карту, ужас",
    "спасибо втб за быстрый ответ!!",
    "мтс   лучший оператор\tв городе",
    "билайн не работает второй день 😡😡",
    "great service from @user, thanks",
    "worst airline ever... lost my bag url",
    "ok ok ok",
]
HOSTILE = [
    "",
    "a",
    "аб",
    "  \t\n  х  ",
    "<script>alert('ужас')</script>",
    "😀😡 карта \ud83d сломалась",  # a lone surrogate, as broken JSON leaves it
    "\x00\x00 мтс",
    "İSTANBUL Ǆ ß",  # lower() changes the length of some letters
    "ZZZZZ qqqqq ЩЩЩЩЩ",
    "сбербанк " * 200,
]
SETTINGS = [
    {"ngram_range": (1, 5)},
    {"ngram_range": (2, 4), "sublinear_tf": True},
    {"ngram_range": (1, 3), "min_df": 2, "max_features": 40},
    {"ngram_range": (1, 4), "strip_accents": "unicode", "lowercase": False},
    {"ngram_range": (1, 5), "preprocessor": lambda doc: doc.replace("!", " ")},
]


def _pair(**kw: object) -> tuple[TfidfVectorizer, CharNgramVectorizer]:
    ref = TfidfVectorizer(analyzer="char", dtype=np.float32, **kw).fit(TRAIN)  # type: ignore[arg-type]
    fast = CharNgramVectorizer(analyzer="char", dtype=np.float32, **kw).fit(TRAIN)  # type: ignore[arg-type]
    return ref, fast


def _same(a: object, b: object) -> None:
    ref, got = a.tocsr(), b.tocsr()  # type: ignore[attr-defined]
    ref.sort_indices()
    got.sort_indices()
    assert got.shape == ref.shape and got.dtype == ref.dtype
    assert np.array_equal(got.indptr, ref.indptr)
    assert np.array_equal(got.indices, ref.indices)
    assert np.allclose(got.data, ref.data, rtol=0, atol=1e-7)


@pytest.mark.parametrize("kw", SETTINGS)
def test_same_features_as_sklearn(kw: dict[str, object]) -> None:
    ref, fast = _pair(**kw)
    docs = (TRAIN + HOSTILE + [t.upper() for t in TRAIN]) * 50  # > one chunk of 512
    _same(ref.transform(docs), fast.transform(docs))
    assert fast._ngram_index is not None  # the numpy path ran, not the fallback


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet="абвгд xyz😀\t\n.!ЁёA", max_size=40), min_size=1, max_size=8))
def test_same_features_on_generated_text(docs: list[str]) -> None:
    ref, fast = _pair(ngram_range=(1, 5))
    _same(ref.transform(docs), fast.transform(docs))


def test_other_settings_fall_back_to_sklearn() -> None:
    kw = {"analyzer": "char_wb", "ngram_range": (2, 4)}
    ref = TfidfVectorizer(**kw).fit(TRAIN)  # type: ignore[arg-type]
    fast = CharNgramVectorizer(**kw).fit(TRAIN)  # type: ignore[arg-type]
    _same(ref.transform(HOSTILE), fast.transform(HOSTILE))
    assert fast._index() is None


def test_pickle_leaves_the_index_out_and_rebuilds_it() -> None:
    ref, fast = _pair(ngram_range=(1, 5))
    fast.transform(TRAIN)
    blob = pickle.dumps(fast)
    copy = pickle.loads(blob)
    assert "_ngram_index" not in copy.__dict__
    _same(ref.transform(HOSTILE), copy.transform(HOSTILE))
    assert len(blob) < len(pickle.dumps(fast._ngram_index))  # the index would dwarf the model


def test_an_empty_batch_fails_as_sklearn_does() -> None:
    ref, fast = _pair(ngram_range=(1, 5))
    with pytest.raises(ValueError):
        ref.transform([])
    with pytest.raises(ValueError):
        fast.transform([])
