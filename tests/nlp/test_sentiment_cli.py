"""`otklik sentiment` (the DESIGN.md contract) and `otklik train-sentiment` on a SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from otklik.cli import app
from otklik.db.models import Brand, Mention, SentimentCorrection
from otklik.nlp.sentiment import LABELS, SentimentModel
from otklik.nlp.sentiment.training import train_from_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sentiment"
runner = CliRunner()


def _lines(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def test_sentiment_keeps_input_order_across_batches(tmp_path: Path) -> None:
    obvious = [json.loads(x) for x in (FIXTURES / "obvious.jsonl").read_text().splitlines()]
    rows = [
        {"id": i, "text": obvious[i % len(obvious)]["text"], "lang": None, "brand": None}
        for i in range(300)  # more than one batch of 256
    ]
    src = tmp_path / "in.jsonl"
    src.write_text(_lines(rows), encoding="utf-8")
    result = runner.invoke(app, ["sentiment", str(src)])
    assert result.exit_code == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == list(range(300))
    for o in out:
        assert set(o) == {"id", "label", "scores"}
        assert o["label"] in LABELS and list(o["scores"]) == list(LABELS)
    # The same text gets the same answer wherever it falls in the stream.
    n = len(obvious)
    assert all(out[i]["scores"] == out[i + n]["scores"] for i in range(300 - n))


def test_sentiment_reads_stdin_and_honours_brand() -> None:
    text = "Сбербанк опять заблокировал карту, а ВТБ всё решил за минуту"
    rows = [{"id": "a", "text": text, "brand": "sberbank"},
            {"id": "b", "text": text, "brand": "vtb", "lang": "ru"},
            {"id": "c", "text": text}]
    result = runner.invoke(app, ["sentiment", "-"], input=_lines(rows))
    assert result.exit_code == 0, result.stderr
    a, b, c = (json.loads(line) for line in result.stdout.splitlines())
    assert (a["id"], b["id"], c["id"]) == ("a", "b", "c")
    # The brand is honoured: the text is scored toward each brand, not as a whole.
    assert a["scores"] != b["scores"] and a["scores"] != c["scores"]
    assert b["scores"] != c["scores"]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"id": 3, "text": "oops"', "not valid JSON"),
        ('["id", "text"]', "expected a JSON object"),
        ('{"id": 3}', "'text' must be a string"),
        ('{"text": "no id"}', "missing field 'id'"),
        ('{"id": 3, "text": "x", "lang": 5}', "'lang' must be a string"),
    ],
)
def test_bad_line_exits_2_naming_the_line(tmp_path: Path, bad_line: str, message: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(_lines([{"id": 1, "text": "fine"}, {"id": 2, "text": "ok"}]) + bad_line + "\n")
    result = runner.invoke(app, ["sentiment", str(src)])
    assert result.exit_code == 2
    assert f"{src}:3:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    # The two good lines before it were answered, in order.
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [1, 2]


def test_empty_input_prints_nothing() -> None:
    result = runner.invoke(app, ["sentiment", "-"], input="")
    assert result.exit_code == 0 and result.stdout == ""
    result = runner.invoke(app, ["sentiment", "-"], input="\n\n")
    assert result.exit_code == 0 and result.stdout == ""


def test_missing_file_and_missing_model_are_clean_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sentiment", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2 and "no such file" in result.stderr
    result = runner.invoke(app, ["sentiment", "--model", str(tmp_path / "m.joblib"), "-"],
                           input="")
    assert result.exit_code == 1 and "no sentiment model" in result.stderr


CORRECTED = [
    ("Сбербанк снова списал комиссию за обслуживание карты", "Сбербанк"),
    ("Оператор в отделении сбербанка всё объяснил за пять минут", "Сбербанк"),
    ("the app update made checkout twice as fast", None),
    ("my parcel arrived a day late again", None),
]


def test_train_sentiment_learns_the_corrections(
    sqlite_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = FIXTURES / "data"
    base, _ = train_from_dir(data, "release")
    base_path = base.save(tmp_path / "base.joblib")
    texts = [t for t, _ in CORRECTED]
    brands = [b for _, b in CORRECTED]
    before = [p["label"] for p in base.predict(texts, brands=brands)]
    # An analyst's correction is a label the model did not give.
    wanted = ["positive" if b == "negative" else "negative" for b in before]
    with sqlite_store.sessions() as s:
        brand = Brand(slug="sber", name="Сбербанк")
        s.add(brand)
        s.flush()
        for i, ((text, b), label) in enumerate(zip(CORRECTED, wanted, strict=True)):
            m = Mention(network="vk", external_id=f"c{i}", text=text,
                        created_at=datetime(2026, 11, 1, tzinfo=UTC))
            s.add(m)
            s.flush()
            s.add(SentimentCorrection(mention_id=m.id, brand_id=brand.id if b else None,
                                      old_label=before[i], label=label, text=text))
        s.commit()
    monkeypatch.setenv("OTKLIK_DATABASE_URL", sqlite_store.url)
    out = tmp_path / "retrained.joblib"
    args = ["train-sentiment", "--data", str(data), "--base", str(base_path), "--out", str(out)]
    result = runner.invoke(app, [*args, "--holdback", "0"])
    assert result.exit_code == 0, result.stderr
    assert "4 trained, 0 held back" in result.stdout
    assert "accuracy" in result.stdout and "→" in result.stdout
    after = SentimentModel.load(out)
    assert [p["label"] for p in after.predict(texts, brands=brands)] == wanted
    assert after.meta["corrections"] == 4

    # Per brand: only that brand's two corrections are used.
    result = runner.invoke(app, [*args, "--holdback", "0", "--brand", "sber"])
    assert result.exit_code == 0, result.stderr
    assert "2 trained, 0 held back" in result.stdout
    result = runner.invoke(app, [*args, "--brand", "nosuch"])
    assert result.exit_code == 2 and "no brand with slug" in result.stderr


def test_train_sentiment_needs_data_and_corrections(
    sqlite_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", sqlite_store.url)
    monkeypatch.delenv("OTKLIK_SENTIMENT_DATA", raising=False)
    result = runner.invoke(app, ["train-sentiment"])
    assert result.exit_code == 2 and "--data" in result.stderr
    result = runner.invoke(app, ["train-sentiment", "--data", str(FIXTURES / "data")])
    assert result.exit_code == 2 and "no sentiment corrections" in result.stderr
