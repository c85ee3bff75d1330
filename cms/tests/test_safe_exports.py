"""Every export staff can download is safe to open in a spreadsheet (issue 13, item 14):
Wagtail's form-submission CSV ran `=HYPERLINK(...)` as a formula, one control character in a
submission made that form's XLSX export a 500, and our own CSVs (core.csv_export: Finance,
Gift Aid, event and training attendance) are checked with the same hostile values."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from wagtail.contrib.forms.models import FormSubmission

from accounts.tests.factories import sign_in_with_second_factor
from core.csv_export import csv_response, csv_safe

pytestmark = pytest.mark.django_db

HOSTILE = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+1": "'+1",
    "-1": "'-1",
    "@SUM(1)": "'@SUM(1)",
    "bell\x07ring": "bellring",
    "\x07=1+2": "'=1+2",
    "\tcmd": "'\tcmd",
    "\uff1dSUM(1)": "'\uff1dSUM(1)",
    "Ada Lovelace": "Ada Lovelace",
}


# What the contact form stores (Django's CharField strips surrounding spaces and tabs), written out.
STORED = sorted(csv_safe(typed.strip()) for typed in HOSTILE)


def _staff(client):
    from accounts.models import User

    sign_in_with_second_factor(client, User.objects.get(email="staff@thrive.example"))


def _submit_hostile_contact_forms(client, settings):
    settings.FORM_RATE_LIMIT = 1000
    for typed in HOSTILE:
        response = client.post("/contact/", {"your_name": typed, "email": "ada@example.org", "message": typed})
        assert response.status_code == 200
    assert FormSubmission.objects.count() == len(HOSTILE)
    from cms.models import FormPage

    return FormPage.objects.get(slug="contact")


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_form_submissions_csv_export_neutralises_formulas_and_control_characters(client, demo_site, settings):
    page = _submit_hostile_contact_forms(client, settings)
    _staff(client)
    response = client.get(reverse("wagtailforms:list_submissions", args=[page.pk]) + "?export=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(_body(response).decode("utf-8"))))
    assert sorted(row["Your name"] for row in rows) == STORED
    assert sorted(row["Message"] for row in rows) == STORED
    for row in rows:
        for cell in row.values():
            assert not re.match(r"[=+\-@\t\r\uff1d]", cell), cell
            assert "\x07" not in cell


def test_the_form_submissions_xlsx_export_opens_with_neutralised_text_cells(client, demo_site, settings):
    from openpyxl import load_workbook

    page = _submit_hostile_contact_forms(client, settings)
    _staff(client)
    response = client.get(reverse("wagtailforms:list_submissions", args=[page.pk]) + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(_body(response))).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("Your name")
    assert sorted(row[column].value for row in sheet.iter_rows(min_row=2)) == STORED
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert "\x07" not in cell.value
                assert not re.match(r"[=+\-@\t\r\uff1d]", cell.value), cell.value


@pytest.mark.parametrize(("typed", "written"), HOSTILE.items())
def test_our_csvs_quote_formula_starts_and_drop_control_characters(typed, written):
    assert csv_safe(typed) == written
    response = csv_response("x.csv", ["Heading", typed], [[typed, 12, None]])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows == [["Heading", written], [written, "12", ""]]


def test_every_staff_csv_of_ours_is_written_by_csv_response():
    """Finance (orders, payments, donations, Gift Aid), event and training attendance: none
    writes CSV by hand (a new one would have to use core.csv_export too)."""
    root = Path(__file__).resolve().parents[2]
    writers = []
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "csv.writer" in text or "text/csv" in text or "DictWriter" in text:
            writers.append(str(path.relative_to(root)))
    assert writers == ["core/csv_export.py"]
    users = {
        str(path.relative_to(root))
        for path in root.glob("*/*.py")
        if "csv_response(" in path.read_text(encoding="utf-8") and path.name != "csv_export.py"
    }
    assert {"payments/views_admin.py", "events/views_admin.py", "training/views_admin.py"} <= users


def test_the_event_attendance_csv_neutralises_a_hostile_name_typed_when_booking(client, demo_site):
    from events.models import EventPage, Registration

    for event in EventPage.objects.live():
        page = client.get(f"/events/{event.pk}/book/")
        html = page.content.decode()
        if page.status_code == 200 and 'name="nonce"' in html and "donation" not in html:
            break
    nonce = re.search(r'name="nonce" value="([^"]+)"', html).group(1)
    ticket_type = re.search(r'name="ticket_type"[^>]*value="(\d+)"', html) or re.search(r'<option value="(\d+)"', html)
    typed = '=HYPERLINK("http://x","y")'
    client.post(
        f"/events/{event.pk}/book/",
        {"ticket_type": ticket_type.group(1), "quantity": "1", "email": "ada@example.org", "nonce": nonce}
        | {"attendee_name": typed},
    )
    assert Registration.objects.filter(event=event, attendee_name=typed).exists()
    _staff(client)
    response = client.get(reverse("events_admin:attendance_csv", args=[event.pk]))
    assert response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    assert "'" + typed in cells
    assert typed not in cells


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_wagtails_site_history_export_neutralises_a_hostile_name_too(client, demo_site, export):
    """Wagtail's other exports (reports) go through the same cleaning (cms.submissions)."""
    from openpyxl import load_workbook
    from wagtail.log_actions import log
    from wagtail.models import Page

    from accounts.models import User

    staff = User.objects.get(email="staff@thrive.example")
    page = Page.objects.get(slug="contact").specific
    page.title = '=HYPERLINK("http://x","y")\x07'
    page.save_revision(user=staff)
    log(instance=page, action="wagtail.edit", user=staff)
    _staff(client)
    response = client.get(reverse("wagtailadmin_reports:site_history") + f"?export={export}")
    assert response.status_code == 200
    if export == "csv":
        cells = [cell for row in csv.reader(io.StringIO(_body(response).decode("utf-8"))) for cell in row]
    else:
        sheet = load_workbook(io.BytesIO(_body(response))).active
        cells = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert '\'=HYPERLINK("http://x","y")' in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@")) or "\x07" in cell]
