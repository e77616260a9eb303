"""`otklik sentiment` (DESIGN.md contract) and `otklik train-sentiment` (learn from corrections).

`sentiment` streams: it reads a batch of lines, predicts, writes, so memory stays flat on any
input size; output keeps input order. A line that is not a JSON object with an `id` and a string
`text` exits with code 2 naming the line, after the lines before it have been answered.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from otklik.cli._common import fail, read_lines, settings_of
from otklik.settings import Settings

BATCH = 256


def _parse(line: str) -> dict[str, Any] | str:
    """One input line as a record, or what is wrong with it."""
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(rec, dict):
        return "expected a JSON object"
    if "id" not in rec:
        return "missing field 'id'"
    if not isinstance(rec.get("text"), str):
        return "field 'text' must be a string"
    for key in ("lang", "brand"):
        if rec.get(key) is not None and not isinstance(rec[key], str):
            return f"field '{key}' must be a string or null"
    return rec


def _load_model(path: Path | None) -> Any:
    from otklik.nlp.sentiment import ModelError, SentimentModel

    try:
        return SentimentModel.load(path)
    except ModelError as exc:
        fail(str(exc), code=1)


def sentiment(
    file: Annotated[str, typer.Argument(help="JSONL file, or - for stdin")] = "-",
    model_path: Annotated[
        Path | None, typer.Option("--model", help="artifact to use (default: the packaged one)")
    ] = None,
) -> None:
    """Label each input line negative/neutral/positive (toward `brand` when given)."""
    model = _load_model(model_path)
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        preds = model.predict(
            [r["text"] for r in batch], [r.get("lang") for r in batch],
            [r.get("brand") for r in batch],
        )
        out = sys.stdout
        for rec, p in zip(batch, preds, strict=True):
            out.write(json.dumps({"id": rec["id"], **p}, ensure_ascii=False) + "\n")
        out.flush()
        batch.clear()

    name = "<stdin>" if file in (None, "-") else file
    for number, line in read_lines(file):
        if not line.strip():
            continue
        rec = _parse(line)
        if isinstance(rec, str):
            if batch:
                flush()  # lines before the bad one are answered, as a stream would
            fail(f"{name}:{number}: {rec}")
        batch.append(rec)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()


def load_corrections(settings: Settings, brand_slug: str | None) -> list[Any]:
    """The store's corrections as training examples (one brand's only, when a slug is given)."""
    from sqlalchemy import select

    from otklik.db.engine import open_store
    from otklik.db.models import Brand, SentimentCorrection
    from otklik.nlp.sentiment.datasets import LABELS, Example
    from otklik.nlp.sentiment.text import script_lang

    engine, sessions = open_store(settings)
    try:
        with sessions() as session:
            names = {b.id: b.name for b in session.scalars(select(Brand))}
            query = select(SentimentCorrection).order_by(SentimentCorrection.id)
            if brand_slug:
                brand_id = session.scalar(select(Brand.id).where(Brand.slug == brand_slug))
                if brand_id is None:
                    fail(f"no brand with slug {brand_slug!r}")
                query = query.where(SentimentCorrection.brand_id == brand_id)
            rows = list(session.scalars(query))
    finally:
        engine.dispose()
    out = []
    for r in rows:
        if r.label not in LABELS or not r.text:
            continue
        lang = r.lang if r.lang in ("ru", "en") else script_lang(r.text)
        brand = names.get(r.brand_id) if r.brand_id is not None else None
        out.append(Example(r.text, r.label, lang, brand, "correction"))
    return out


def train_sentiment(
    ctx: typer.Context,
    brand: Annotated[str | None, typer.Option(help="only this brand's corrections (slug)")] = None,
    data: Annotated[
        Path | None,
        typer.Option(envvar="OTKLIK_SENTIMENT_DATA",
                     help="folder of labelled sets (layout of the model card); required"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="artifact to write")] = None,
    base: Annotated[
        Path | None, typer.Option(help="model to compare against (default: the packaged one)")
    ] = None,
    holdback: Annotated[float, typer.Option(help="share of corrections kept back")] = 0.2,
) -> None:
    """Retrain with the analysts' corrections from the store; print before/after figures."""
    from otklik.nlp.sentiment.retrain import retrain

    settings = settings_of(ctx)
    if data is None or not data.is_dir():
        fail("give --data DIR (or OTKLIK_SENTIMENT_DATA): the labelled sets to retrain on")
    if not 0.0 <= holdback < 1.0:
        fail("--holdback must be in [0, 1)")
    corrections = load_corrections(settings, brand)
    if not corrections:
        fail(f"no sentiment corrections in the store{f' for brand {brand!r}' if brand else ''}")
    before = _load_model(base)
    report = retrain(data, corrections, before, holdback)
    name = f"sentiment-{brand}.joblib" if brand else "sentiment.joblib"
    path = report.model.save(out or Path(settings.data_dir) / "models" / name)
    typer.echo(f"corrections: {report.trained_corrections} trained, "
               f"{report.heldout_corrections} held back")
    typer.echo(f"figures on {report.measured_on} (before → after):")
    for measure, (b, a) in report.figures.items():
        typer.echo(f"  {measure:12s} {b:.3f} → {a:.3f}")
    typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("sentiment")(sentiment)
    app.command("train-sentiment")(train_sentiment)
