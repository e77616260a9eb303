"""The Russian word vectors beside USE in the sentiment cascade (`otklik.nlp.sentiment.wordvec`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from otklik.nlp.sentiment.datasets import Example
from otklik.nlp.sentiment.model import SentimentModel
from otklik.nlp.sentiment.retrain import retrain
from otklik.nlp.sentiment.training import train_from_dir
from otklik.nlp.sentiment.wordvec import WordVectors, words_of

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "sentiment" / "data"


def _table() -> WordVectors:
    # Two sub-spaces of two dimensions, two centroids each: a word's vector is the concatenation
    # of the centroid its code picks in each sub-space.
    codebook = np.array([[[1, 0], [0, 1]], [[2, 2], [-2, -2]]], dtype=np.float32)
    codes = np.array([[0, 0], [1, 1]], dtype=np.uint8)
    return WordVectors({"банк": 0, "ужас": 1}, codes, codebook)


def test_words_are_lower_case_letter_runs_without_links_users_or_digits() -> None:
    text = "Ёлки, @sber_bank БАНК 24/7 https://t.co/x ужас!!!"
    assert words_of(text) == ["елки", "банк", "ужас"]


def test_a_text_vector_is_the_mean_of_its_known_words() -> None:
    table = _table()
    got = table.vectors(["банк ужас и ещё слова", "банк", "ничего знакомого", ""])
    assert got.shape == (4, 4)
    assert got[0].tolist() == [0.5, 0.5, 0.0, 0.0]
    assert got[1].tolist() == [1.0, 0.0, 2.0, 2.0]
    assert not got[2].any() and not got[3].any()


def test_features_are_centred_and_of_unit_length() -> None:
    table = _table()
    table.centre = np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)
    got = table.features(["банк", "ужас", "ничего"])
    assert got[0] == pytest.approx(np.array([0, 0, 2, 2]) / np.sqrt(8))
    assert np.linalg.norm(got[1]) == pytest.approx(1.0)
    assert np.linalg.norm(got[2]) == pytest.approx(1.0)  # the centre itself, flipped: no NaN


def test_the_packaged_model_reads_russian_word_vectors_in_its_cascade() -> None:
    model = SentimentModel.load()
    words = model.cascades["ru"].words
    assert words is not None and model.cascades["en"].words is None
    assert len(words.index) >= 100_000 and {"банк", "ужасно", "спасибо"} <= set(words.index)
    feats = model.cascades["ru"].features(["Сбербанк опять завис, ужасно"])
    assert feats.shape == (1, 512 + words.dim)


def test_retraining_keeps_the_base_models_word_vectors() -> None:
    table = _table()
    base, _ = train_from_dir(DATA, "release", words={"ru": table})
    assert base.cascades["ru"].words is table
    fixes = [Example("банк ужас, снова списали деньги", "negative", "ru")] * 3
    report = retrain(DATA, fixes, base, holdback=0)
    assert report.model.cascades["ru"].words is table
    assert report.model.meta["word_vectors"] == {"ru": 2}
