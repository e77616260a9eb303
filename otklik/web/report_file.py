"""A report file as a download, for the REST API and the desk's Отчёты page alike: written to
a temporary folder that is removed once the file is sent (or at once when writing fails)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import tzinfo
from pathlib import Path

from fastapi.responses import FileResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from otklik.reports.build import MEDIA_TYPES, write_report
from otklik.reports.figures import Window


def report_download(session: Session, brand_id: int, window: Window, name: str, lang: str,
                    zone: tzinfo) -> FileResponse:
    """The brand's report for `window` as the file `name` (its extension is the format)."""
    folder = Path(tempfile.mkdtemp(prefix="otklik-report-"))
    try:
        write_report(session, brand_id, window, folder / name, lang, zone)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(folder / name, media_type=MEDIA_TYPES[name.rsplit(".", 1)[-1]],
                        filename=name,
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))
