"""The form-submission listing of our FormPage, with exports safe to open in a spreadsheet.

Wagtail's own export (SpreadsheetExportMixin) writes what people typed as it is: in CSV a
submission starting with = + - @ runs as a formula when staff open the file, and in XLSX one
control character makes openpyxl refuse the whole workbook (a 500 for that form's export
until the submission is deleted). Every text cell, headings included, goes through
core.csv_export.spreadsheet_text in both formats.
"""

from wagtail.contrib.forms.views import SubmissionsListView

from core.csv_export import spreadsheet_text


class SafeSubmissionsListView(SubmissionsListView):
    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return spreadsheet_text(value) if isinstance(value, str) else value

    def get_heading(self, queryset, field):
        return spreadsheet_text(super().get_heading(queryset, field))
