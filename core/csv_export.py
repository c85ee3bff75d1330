"""Spreadsheet downloads for staff, in one place: every cell is safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab, CR or line feed, or their full-width forms) is run as
a formula by Excel, LibreOffice or Google Sheets when the file is opened: `=HYPERLINK(...)`
typed into a public form would become a live link in a staff member's spreadsheet. Such text
gets a leading apostrophe, so it shows as typed and is never run. Control characters (other
than tab and line breaks) are dropped: they mean nothing in a spreadsheet, and XLSX (XML)
cannot hold them at all (openpyxl refuses the whole file). Used by our own CSVs
(`csv_response`) and by the form-submission exports of Wagtail (cms.submissions).
"""

import csv
import re

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# What XML 1.0 (and so XLSX) cannot hold; openpyxl's ILLEGAL_CHARACTERS_RE, plus DEL.
CONTROL_IN_CELLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def spreadsheet_text(text: str) -> str:
    """`text` safe in a spreadsheet cell: control characters dropped, a formula start quoted."""
    text = CONTROL_IN_CELLS.sub("", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_safe(value) -> str:
    """A cell for a CSV: `value` as text, passed through `spreadsheet_text`."""
    return spreadsheet_text("" if value is None else str(value))


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """An attachment `filename` with `header` and `rows`, every cell (headers too: some name
    staff-entered things, such as session titles) passed through `csv_safe`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return response
