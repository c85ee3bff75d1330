"""Cms's tasks: each a thin wrapper around the service of the same name (cms.emails)."""

from django.tasks import task

from cms import emails


@task
def form_submission_notify(*, submission_id: int) -> None:
    emails.form_submission_notify(submission_id=submission_id)
