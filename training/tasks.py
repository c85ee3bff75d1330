"""Training tasks: thin wrappers, each named like the service it runs (training.emails)."""

from django.tasks import task

from training import emails


@task
def enrolment_email_send(*, enrolment_id: int, kind: str) -> str:
    return emails.enrolment_email_send(enrolment_id=enrolment_id, kind=kind)
