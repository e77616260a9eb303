"""The report's files read back: the PDF's pages rendered and its text, the XLSX through
openpyxl, the CSV; one row per mention of the brand in the period; the CLI's contract."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from otklik.db.models import Brand, MentionBrand
from otklik.reports.build import write_report
from otklik.reports.figures import window_of
from otklik.wording.codes import codes as worded
from tests.reports.conftest import Demo


def _mention_ids(demo: Demo) -> list[int]:
    w = window_of(demo.since, demo.until)
    with demo.store.sessions() as s:
        brand_id = s.scalar(select(Brand.id).where(Brand.slug == "zerno"))
        return list(s.scalars(select(MentionBrand.mention_id).where(
            MentionBrand.brand_id == brand_id, MentionBrand.created_at >= w.since,
            MentionBrand.created_at < w.until)))


def _cli(demo: Demo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "otklik.cli", "report", *args],
                          env={**os.environ, "OTKLIK_DATABASE_URL": demo.store.url},
                          capture_output=True, text=True)


def test_the_pdf_renders_and_names_the_brand_and_the_count(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    done = _cli(demo, "zerno", "--since", str(demo.since), "--until", str(demo.until),
                "-o", str(out))
    assert done.returncode == 0, done.stderr
    count = len(_mention_ids(demo))
    document = pdfium.PdfDocument(out)
    assert len(document) >= 2
    texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    for text in texts:  # the brand and the period in every page's margin
        assert "Зерно · 1 окт. 2026 г. — 31 дек. 2026 г." in re.sub(r"\s+", " ", text)
    assert str(count) in re.sub(r"[\s\u202f\u00a0]", "", texts[0])
    reader = PdfReader(out)  # a second reader: the text is there for pypdf as well
    plain = [re.sub(r"[\s\u202f\u00a0]", "", page.extract_text()) for page in reader.pages]
    assert all("Зерно" in text for text in plain) and str(count) in plain[0]
    assert f"{count} упоминани" in reader.pages[0].extract_text()  # as typed, 4 digits whole
    fonts = [f.get_object() for page in reader.pages
             for f in (page["/Resources"].get("/Font") or {}).values()]
    descriptors = [d["/FontDescriptor"] for f in fonts
                   for d in [f, *(x.get_object() for x in f.get("/DescendantFonts", []))]
                   if "/FontDescriptor" in d]
    assert descriptors and all(  # embedded, not left to the reader's machine
        any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors)
    assert any("DejaVu" in str(d["/FontName"]) for d in descriptors)
    for i in range(len(document)):
        image = np.asarray(document[i].render(scale=0.6).to_pil().convert("RGB"))
        Image.fromarray(image).save(tmp_path / f"page-{i + 1}.png")
        assert (image.min(axis=2) < 128).sum() > 100, f"page {i + 1} looks blank"
        if i == 0:  # the volume chart's negative bars, drawn from the SVG
            red = (image[..., 0] > 150) & (image[..., 1] < 100) & (image[..., 2] < 100)
            assert red.sum() > 1000


def test_the_xlsx_has_the_sections_and_one_row_per_mention(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    done = _cli(demo, "zerno", "--since", str(demo.since), "--until", str(demo.until),
                "-o", str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    assert len(book.sheetnames) >= 4
    sheet = book["Упоминания"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["id", "время", "сеть", "тональность"] and "обращение" in header
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = _mention_ids(demo)
    assert len(ids) == len(expected) and sorted(ids) == sorted(expected)
    cases = [row[10] for row in sheet.iter_rows(min_row=2, values_only=True) if row[10]]
    assert cases  # the demo's complaints are linked to their cases
    summary = [row for row in book["Сводка"].iter_rows(values_only=True)]
    assert ("Упоминаний", len(expected)) in summary


def test_the_xlsx_sections_say_codes_in_words(demo: Demo, tmp_path: Path) -> None:
    """Networks, community kinds and stances, outcomes and refutation states as the PDF and
    the desk say them; the desk's shares (SLA kept, loop closed) beside its counts."""
    out = tmp_path / "r.xlsx"
    with demo.store.sessions() as s:
        write_report(s, "zerno", window_of(demo.since, demo.until), out, "ru")
    book = openpyxl.load_workbook(out, read_only=True)
    codes = {code for domain in ("network", "outcome", "refutation_status", "stance",
                                 "community_kind") for code in worded(domain)}
    shown = {part for name in book.sheetnames if not name.startswith("Упоминания")
             for row in book[name].iter_rows(values_only=True)
             for value in row if isinstance(value, str) for part in value.split(": ")}
    assert not codes & shown, codes & shown
    places = list(book["Площадки и авторы"].iter_rows(min_row=2, values_only=True))
    assert {"ВКонтакте", "Telegram"} <= {row[2] for row in places}
    desk = {row[:2]: row[2] for row in book["Обращения"].iter_rows(values_only=True)}
    assert ("всего", "SLA соблюдён, %") in desk and ("всего", "петля замкнута, %") in desk
    assert any(who == "сеть: ВКонтакте" for who, _ in desk)
    stances = {row[2] for row in book["Сообщества"].iter_rows(min_row=2, values_only=True)}
    assert stances and stances <= {"официальное", "нейтральное", "враждебное"}


def test_the_csv_is_the_mentions_sheet(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    with demo.store.sessions() as s:
        written = write_report(s, "zerno", window_of(demo.since, demo.until), out, "en")
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert written.mentions == len(rows) == len(_mention_ids(demo))
    assert {"id", "created_at", "sentiment", "author", "place", "url", "case_id"} <= set(rows[0])


@pytest.mark.parametrize(("args", "message"), [
    (("--since", "2026-11-31", "--until", "2026-12-01", "-o", "{dir}/r.pdf"), "--since"),
    (("--since", "2026-12-02", "--until", "2026-12-01", "-o", "{dir}/r.pdf"), "before"),
    (("--since", "2026-11-01", "--until", "2026-12-01", "-o", "{dir}/r.docx"), ".pdf, .xlsx"),
    (("--since", "2026-11-01", "-o", "{dir}/r.pdf"), "--until"),
    (("--days", "7", "--tz", "Nowhere/City", "-o", "{dir}/r.pdf"), "--tz"),
    (("--days", "7", "-o", "{dir}/missing/r.pdf"), "no such directory"),
    (("--since", "0001-01-01", "--until", "0001-01-02", "-o", "{dir}/r.csv"), "calendar"),
])
def test_bad_input_exits_2_with_a_message(demo: Demo, tmp_path: Path, args: tuple[str, ...],
                                          message: str) -> None:
    done = _cli(demo, "zerno", *(a.format(dir=tmp_path) for a in args))
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not list(tmp_path.glob("r.*"))


def test_an_unknown_brand_exits_2(demo: Demo, tmp_path: Path) -> None:
    done = _cli(demo, "nobody", "--days", "7", "-o", str(tmp_path / "r.xlsx"))
    assert done.returncode == 2 and "no brand" in done.stderr


def test_the_api_downloads_each_format(demo: Demo) -> None:
    api = demo.desk.api("viewer")
    params = {"brand_id": 1, "since": str(demo.since), "until": str(demo.until)}
    pdf = api.get("/api/v1/reports/download", params={**params, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = api.get("/api/v1/reports/download", params={**params, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert "attachment" in xlsx.headers["content-disposition"]
    bad = api.get("/api/v1/reports/download", params={**params, "tz": "Nowhere/City"})
    assert bad.status_code == 422
    missing = api.get("/api/v1/reports", params={**params, "brand_id": 999})
    assert missing.status_code == 404
