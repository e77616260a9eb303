"""A worksheet that takes a whole row of plain values at once: the mentions sheet's writer.

XlsxWriter in `constant_memory` mode spends about 3 µs of Python on each cell (a cell tuple
stored, then written through its generic tag writer); over 500,000 mentions of 11 columns that
was two thirds of a 30-day report's time. This subclass, given to XlsxWriter through its own
`worksheet_class` hook, writes each row's XML as one string into the same row-data file that
XlsxWriter streams to disk; anything that is not plain text goes through XlsxWriter's own
escaping. Everything around the rows (dimensions, frozen header, filter, widths, packaging)
stays XlsxWriter's. Unlike XlsxWriter's in-line strings, a text that looks like rich-text XML
("<r>…</r>") is escaped too: a post's text is never markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# Characters XlsxWriter changes in a string: XML's special ones and control characters (written
# as _xHHHH_). A string with none of them, no "_x" (a literal _xHHHH_ is escaped in turn) and no
# whitespace at its ends (kept with xml:space="preserve") goes out as it is. (One regular
# expression for all of it scans a long text five times slower.)
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")
_EPOCH = datetime(1899, 12, 30)  # Excel's day 0 for dates from 1900-03-01 on (its 1900 leap day)
_FIRST_EXACT = datetime(1900, 3, 1)
_MAX_UNITS = 32767  # UTF-16 code units a cell holds


class RowSheet(Worksheet):
    """A constant-memory worksheet whose data rows are written by `put`, one call per row.

    Values are str (in-line text), int or float, naive datetime (shown with the column's
    format), or None / "" (left blank). Rows go top to bottom after any rows written the
    usual way (the header)."""

    def columns(self, formats: Sequence[Format | None]) -> None:
        """The data columns from A on, each with its cell format (None for none)."""
        if not self.constant_memory:
            raise ValueError("RowSheet writes rows straight to disk: constant_memory only")
        self._refs = [xl_col_to_name(c) for c in range(len(formats))]
        self._styles = ["" if f is None else f' s="{f._get_xf_index()}"' for f in formats]
        self._last_col = len(formats) - 1

    def put(self, row: int, values: Sequence[Any]) -> int:
        """Writes one row (zero-based); XlsxWriter's -1 past the sheet's last row, -2 above a
        row already written."""
        refused = self._check_dimensions(row, 0) or self._check_dimensions(row, self._last_col)
        if refused:
            return refused
        if row > self.previous_row:
            self._write_single_row(row)  # XlsxWriter's pending row (the header) goes first
        r = str(row + 1)
        parts = [f'<row r="{r}">']
        for ref, style, v in zip(self._refs, self._styles, values, strict=True):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                if _SPECIAL.search(v) or "_x" in v or v.strip() != v or len(v) > _MAX_UNITS // 2:
                    v = self._text(v)
                else:
                    v = f"<t>{v}</t>"
                parts.append(f'<c r="{ref}{r}"{style} t="inlineStr"><is>{v}</is></c>')
            elif isinstance(v, datetime):
                parts.append(f'<c r="{ref}{r}"{style}><v>{self._serial(v):.16G}</v></c>')
            elif isinstance(v, int | float) and not isinstance(v, bool):
                parts.append(f'<c r="{ref}{r}"{style}><v>{v:.16G}</v></c>')
            else:
                raise TypeError(f"RowSheet cell {ref}{r}: {type(v).__name__} is not supported")
        parts.append("</row>")
        self.fh.write("".join(parts))
        return 0

    def _text(self, value: str) -> str:
        """The <t> element of a string that is long or not plain, as XlsxWriter writes it."""
        if len(value.encode("utf-16-le")) > 2 * _MAX_UNITS:
            value = value.encode("utf-16-le")[:2 * _MAX_UNITS].decode("utf-16-le", "ignore")
        value = self._escape_data(self._escape_control_characters(value))
        keep = value[:1].isspace() or value[-1:].isspace()
        return f'<t xml:space="preserve">{value}</t>' if keep else f"<t>{value}</t>"

    def _serial(self, value: datetime) -> float:
        if value.tzinfo is not None or value < _FIRST_EXACT:
            return float(self._convert_date_time(value))
        delta = value - _EPOCH
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
