"""Emails cms sends; each runs as the task of the same name in `cms.tasks`."""

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from wagtail.contrib.forms.models import FormSubmission

from core.email import email_send


def form_submission_notify(*, submission_id: int) -> None:
    """Email staff a copy of one form submission. Sends email; safe to run twice (a duplicate
    notification is the worst case, never a lost one)."""
    submission = FormSubmission.objects.select_related("page").filter(pk=submission_id).first()
    if submission is None:
        return
    page = submission.page.specific
    labels = {field.clean_name: field.label for field in page.form_fields.all()}
    answers = [(labels.get(name, name), value) for name, value in submission.get_data().items() if name in labels]
    addresses = [address.strip() for address in page.to_address.split(",") if address.strip()]
    email_send(
        to=addresses,
        subject=page.subject or format_lazy(gettext_lazy("New submission: {title}"), title=page.title),
        template="form_submission",
        context={
            "page": page,
            "answers": answers,
            "submitted_at": submission.submit_time,
            "site_url": settings.SITE_URL,
        },
    )
