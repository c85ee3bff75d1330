"""Wagtail's spreadsheet exports made safe to open: form submissions, and every other CSV or
XLSX the Wagtail admin offers (reports such as Site history, model listings).

Wagtail writes what people typed as it is (SpreadsheetExportMixin): in CSV a form submission
starting with = + - @ runs as a formula when staff open the file, and in XLSX one control
character makes openpyxl refuse the whole workbook (a 500 for that form's export until the
submission is deleted). Here every text cell, and every heading, goes through
core.csv_export.spreadsheet_text in both formats: our FormPage's submission listing is
`SafeSubmissionsListView`, and `make_wagtail_exports_safe` (run from cms/wagtail_hooks.py, so
when the admin loads) does the same for the mixin every other Wagtail export uses.
"""

from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.contrib.forms.views import SubmissionsListView

from core.csv_export import spreadsheet_text
from core.hooks import EXPORTS_SAFE_MARKER


def _safe(value):
    return spreadsheet_text(value) if isinstance(value, str) else value


class SafeSubmissionsListView(SubmissionsListView):
    def preprocess_field_value(self, field, value, export_format):
        return _safe(super().preprocess_field_value(field, value, export_format))

    def get_heading(self, queryset, field):
        return _safe(super().get_heading(queryset, field))


def make_wagtail_exports_safe() -> None:
    """Wrap SpreadsheetExportMixin's cell and heading functions (once)."""
    if getattr(SpreadsheetExportMixin, EXPORTS_SAFE_MARKER, False):
        return
    preprocess_field_value = SpreadsheetExportMixin.preprocess_field_value
    get_heading = SpreadsheetExportMixin.get_heading

    def safe_preprocess_field_value(self, field, value, export_format):
        return _safe(preprocess_field_value(self, field, value, export_format))

    def safe_get_heading(self, queryset, field):
        return _safe(get_heading(self, queryset, field))

    SpreadsheetExportMixin.preprocess_field_value = safe_preprocess_field_value
    SpreadsheetExportMixin.get_heading = safe_get_heading
    setattr(SpreadsheetExportMixin, EXPORTS_SAFE_MARKER, True)
