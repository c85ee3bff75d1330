"""Accounts' tasks: each a thin wrapper around the service of the same name, taking primary
keys only (never a token or a person's details: links with a secret are made inside the task,
see accounts.emails). Emails are queued on commit by accounts.services."""

from datetime import timedelta

from django.tasks import task

from accounts import emails, retention
from core.tasks import requeue_after

PURGE_INTERVAL = timedelta(days=1)


@task
def retention_purge() -> dict[str, int]:
    """The daily purge (`accounts.retention.retention_purge`). After running it queues its next
    run for a day later, so one enqueue (by `manage.py schedule_tasks`, run by `make run` and
    at deploy) keeps it going."""
    counts = retention.retention_purge()
    requeue_after(retention_purge, PURGE_INTERVAL)
    return counts


@task
def application_received_send(*, application_id: int) -> None:
    emails.application_received_send(application_id=application_id)


@task
def application_waiting_notify(*, application_id: int) -> None:
    emails.application_waiting_notify(application_id=application_id)


@task
def application_already_waiting_send(*, application_id: int) -> None:
    emails.application_already_waiting_send(application_id=application_id)


@task
def application_member_exists_send(*, user_id: int) -> None:
    emails.application_member_exists_send(user_id=user_id)


@task
def application_approved_send(*, application_id: int) -> None:
    emails.application_approved_send(application_id=application_id)


@task
def application_declined_send(*, application_id: int) -> None:
    emails.application_declined_send(application_id=application_id)


@task
def application_more_info_send(*, application_id: int) -> None:
    emails.application_more_info_send(application_id=application_id)


@task
def referral_invitation_send(*, referral_id: int) -> None:
    emails.referral_invitation_send(referral_id=referral_id)


@task
def erasure_request_notify(*, erasure_request_id: int) -> None:
    emails.erasure_request_notify(erasure_request_id=erasure_request_id)


@task
def sign_in_failures_notify(*, user_id: int, failures: int, where: str) -> None:
    emails.sign_in_failures_notify(user_id=user_id, failures=failures, where=where)
