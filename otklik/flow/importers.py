"""Importers: JSON Lines and CSV files of mentions → `Post`s, every bad row reported precisely.

Reading is streamed (memory flat in the file size). `import_file` validates the whole file first,
so by default a file with any bad row stores nothing; then it hands the posts on in chunks to
`store` (`otklik.actions.imports`: each chunk its own transaction, so a kill in the middle leaves
whole chunks only, and a rerun of the idempotent ingest completes the import without doubling
anything).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from otklik.domain.posts import Author, Place, Post
from otklik.domain.storable import unstorable
from otklik.flow.pipeline import IngestResult

MAX_TEXT = 1_000_000  # characters; a longer "post" is almost certainly not one
MAX_COUNT = 2**31 - 1  # reach, engagement, followers: INTEGER columns (32 bits on PostgreSQL)
# the store's column widths: a longer value would pass SQLite and fail PostgreSQL mid-import
MAX_LENGTH = {"id": 300, "network": 32, "author": 200, "author_name": 300, "place": 300,
              "place_name": 300, "parent_id": 300, "thread_id": 300, "lang": 8}
MAX_LINE = 8_000_000  # bytes per JSONL line / CSV record
FIELDS = (
    "id", "text", "created_at", "network", "url", "author", "author_name", "followers",
    "author_created_at", "place", "place_name", "parent_id", "thread_id", "lang", "lat", "lon",
    "geo", "hashtags", "reach", "engagement",
)


class UnreadableFile(Exception):
    """The file as a whole cannot be read (missing, empty, unknown format)."""


@dataclass
class BadRow:
    line: int
    reason: str
    raw: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    path: str
    rows: int = 0
    bad: list[BadRow] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    committed: bool = False


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in ("jsonl", "csv"):
            raise UnreadableFile(f"unknown format {fmt!r}: use jsonl or csv")
        return fmt
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    raise UnreadableFile(f"{path}: cannot tell the format from the name; pass --format jsonl|csv")


def iter_records(
    path: Path, fmt: str, encoding: str = "utf-8", mapping: Mapping[str, str] | None = None
) -> Iterator[tuple[int, dict[str, Any] | None, str, str | None]]:
    """Yield (line, record or None, raw text, error) for every record of the file."""
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise UnreadableFile(f"{path}: the file is empty")
    rename: dict[str, str] = {source: target for target, source in (mapping or {}).items()}
    if codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"  # a byte-order mark (Excel writes one) is not part of the data
    if fmt == "jsonl":
        yield from _jsonl(path, encoding, rename)
    else:
        yield from _csv(path, encoding, rename)


def _named(encoding: str) -> str:
    """The encoding as the user named it (utf-8-sig is how we read their utf-8)."""
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _decode(raw: bytes, encoding: str) -> tuple[str | None, str | None]:
    try:
        return raw.decode(encoding), None
    except UnicodeDecodeError as exc:
        return None, f"not {_named(encoding)} text (byte {exc.start}: {exc.reason}); try --encoding"


def _jsonl(
    path: Path, encoding: str, rename: dict[str, str]
) -> Iterator[tuple[int, dict[str, Any] | None, str, str | None]]:
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if len(raw) > MAX_LINE:
                yield number, None, raw[:200].decode("utf-8", "replace"), (
                    f"line longer than {MAX_LINE:,} bytes"
                )
                continue
            text, error = _decode(raw, encoding)
            if text is None:
                yield number, None, raw.decode("utf-8", "replace"), error
                continue
            stripped = text.strip()
            if not stripped:
                continue
            try:
                record = json.loads(stripped)
            except json.JSONDecodeError as exc:
                yield number, None, text, f"broken JSON at column {exc.colno}: {exc.msg}"
                continue
            except RecursionError:
                yield number, None, text[:2000], "JSON nested too deeply to read"
                continue
            if not isinstance(record, dict):
                yield number, None, text, "expected a JSON object per line"
                continue
            yield number, {rename.get(str(k), str(k)): v for k, v in record.items()}, text, None


def _csv(
    path: Path, encoding: str, rename: dict[str, str]
) -> Iterator[tuple[int, dict[str, Any] | None, str, str | None]]:
    csv.field_size_limit(MAX_LINE)
    with path.open("rb") as fh:
        head = fh.read(4096)
        fh.seek(0)
        _, error = _decode(head[: len(head) - 4] if len(head) == 4096 else head, encoding)
        if error:
            raise UnreadableFile(f"{path}: {error}")
        stream = io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="")
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        reader = csv.reader(stream, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration as exc:
            raise UnreadableFile(f"{path}: the file is empty") from exc
        except (csv.Error, UnicodeDecodeError) as exc:
            raise UnreadableFile(f"{path}: header unreadable: {exc}") from exc
        columns = [rename.get(c.strip(), c.strip()) for c in header]
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                yield line, None, "", f"not {_named(encoding)} text ({exc.reason}); try --encoding"
                return  # the decoder cannot resynchronise inside a CSV stream
            except csv.Error as exc:
                yield line, None, "", f"broken CSV: {exc}"
                continue
            if not any(cell.strip() for cell in row):
                continue
            raw = ",".join(row)[:2000]
            if len(row) != len(columns):
                yield line, None, raw, f"{len(row)} fields where the header has {len(columns)}"
                continue
            yield line, {c: v for c, v in zip(columns, row, strict=True) if v != ""}, raw, None


def parse_time(value: Any, name: str) -> datetime:
    """ISO 8601 (with or without zone; naive = UTC) or Unix seconds, in UTC as the store keeps
    it; one that cannot be (1e20 seconds, year 1 at +05:00) is a ValueError like any bad value."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_unix(float(value), value, name)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.isascii() and text.replace(".", "", 1).isdigit():
            return _from_unix(float(text), value, name)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"{name}: {value!r} is not an ISO 8601 time or Unix seconds") from exc
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        try:
            return moment.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError(f"{name}: {value!r} is out of range once moved to UTC") from exc
    raise ValueError(f"{name}: missing or empty")


def _from_unix(seconds: float, value: Any, name: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"{name}: {value!r} is out of range as Unix seconds") from exc


def _int(record: Mapping[str, Any], name: str) -> int | None:
    """A count: a whole number from 0 to the store's INTEGER maximum."""
    value = record.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(float(value))
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{name}: {value!r} is not a number") from exc
    if not 0 <= number <= MAX_COUNT:
        raise ValueError(f"{name}: {value!r} is out of range (0 to {MAX_COUNT:,})")
    return number


def _float(value: Any, name: str, limit: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: {value!r} is not a number") from exc
    if not (math.isfinite(number) and -limit <= number <= limit):
        raise ValueError(f"{name}: {value!r} is out of range (-{limit:g} to {limit:g})")
    return number


def _str(record: Mapping[str, Any], name: str) -> str | None:
    """A text field as a string within its column's width ("" and null = not given)."""
    value = record.get(name)
    if value in (None, ""):
        return None
    text = str(value)
    limit = MAX_LENGTH.get(name)
    if limit is not None and len(text) > limit:
        raise ValueError(f"{name}: {len(text):,} characters, more than {limit}")
    return text


def record_to_post(record: Mapping[str, Any], default_network: str = "file") -> Post:
    """One record in DESIGN.md's field names → a `Post`; ValueError says what is wrong.

    Every value the store could refuse is refused here, while the whole file is checked, so a
    file that cannot be stored stores nothing (not the chunks before the bad row).
    """
    external_id = _str(record, "id")
    if external_id is None:
        raise ValueError("id: missing")
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError("text: missing" if text is None else "text: not a string")
    if len(text) > MAX_TEXT:
        raise ValueError(f"text: {len(text):,} characters, more than {MAX_TEXT:,}")
    problem = unstorable(dict(record))
    if problem is not None:
        raise ValueError(f"contains {problem}, which the store cannot hold")
    network = _str(record, "network") or default_network
    author = _str(record, "author")
    author_ref = None
    if author is not None:
        author_ref = Author(
            external_id=author,
            handle=author,
            name=_str(record, "author_name"),
            followers=_int(record, "followers"),
            created_at=parse_time(record["author_created_at"], "author_created_at")
            if record.get("author_created_at") else None,
        )
    place = _str(record, "place")
    place_ref = None
    if place is not None:
        place_ref = Place(external_id=place, name=_str(record, "place_name") or place)
    lat, lon = record.get("lat"), record.get("lon")
    geo = record.get("geo")
    if isinstance(geo, Mapping):
        lat, lon = geo.get("lat"), geo.get("lon")
    elif geo not in (None, ""):
        raise ValueError("geo: expected an object {lat, lon}")
    hashtags = record.get("hashtags") or []
    if isinstance(hashtags, str):
        hashtags = [h.strip().lstrip("#").lower() for h in hashtags.split(",") if h.strip()]
    elif not isinstance(hashtags, list):
        raise ValueError("hashtags: expected a list or comma-separated text")
    return Post(
        network=network,
        external_id=external_id,
        text=text,
        created_at=parse_time(record.get("created_at"), "created_at"),
        url=_str(record, "url"),
        author=author_ref,
        place=place_ref,
        parent_external_id=_str(record, "parent_id"),
        thread_external_id=_str(record, "thread_id"),
        lat=_float(lat, "lat", 90) if lat not in (None, "") else None,
        lon=_float(lon, "lon", 180) if lon not in (None, "") else None,
        hashtags=[str(h) for h in hashtags],
        reach=_int(record, "reach"),
        engagement=_int(record, "engagement"),
        lang=_str(record, "lang"),
        raw=dict(record),
    )


def _valid_posts(
    path: Path, fmt: str, encoding: str, mapping: Mapping[str, str] | None, network: str,
    report: ImportReport | None = None,
) -> Iterator[Post]:
    for line, record, raw, error in iter_records(path, fmt, encoding, mapping):
        if report is not None:
            report.rows += 1
        if error is None and record is not None:
            try:
                yield record_to_post(record, network)
                continue
            except (ValueError, TypeError, OverflowError) as exc:  # any value, never a traceback
                error = str(exc)
        if report is not None:
            report.bad.append(BadRow(line, error or "unreadable", raw))


def import_posts(
    store: Callable[[list[Post]], IngestResult],
    path: Path,
    *,
    fmt: str | None = None,
    encoding: str = "utf-8",
    mapping: Mapping[str, str] | None = None,
    network: str = "file",
    skip_bad: bool = False,
    rejects: Path | None = None,
    chunk: int = 2000,
    progress: Any = None,
) -> ImportReport:
    """Validate the whole file, then store it chunk by chunk (see the module docstring)."""
    fmt = detect_format(path, fmt)
    report = ImportReport(path=str(path))
    for _ in _valid_posts(path, fmt, encoding, mapping, network, report):
        pass
    if report.bad:
        if rejects is not None:
            rejects.parent.mkdir(parents=True, exist_ok=True)
            with rejects.open("w", encoding="utf-8") as out:
                for bad in report.bad:
                    out.write(json.dumps({"line": bad.line, "reason": bad.reason,
                                          "raw": bad.raw}, ensure_ascii=False) + "\n")
        if not skip_bad:
            return report
    batch: list[Post] = []
    for post in _valid_posts(path, fmt, encoding, mapping, network):
        batch.append(post)
        if len(batch) >= chunk:
            _store(store, batch, report, progress)
            batch = []
    if batch:
        _store(store, batch, report, progress)
    report.committed = True
    return report


def _store(store: Callable[[list[Post]], IngestResult], batch: list[Post],
           report: ImportReport, progress: Any) -> None:
    result = store(batch)
    report.inserted += result.inserted
    report.updated += result.updated
    report.unchanged += result.unchanged
    if progress is not None:
        progress(len(batch))
