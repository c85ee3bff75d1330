"""CSV downloads for staff, in one place: every cell is guarded against formula injection."""

import csv

from django.http import HttpResponse


def csv_safe(value) -> str:
    """Spreadsheet apps run cells that start with = + - @ (or a tab or CR) as formulas: quote them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
