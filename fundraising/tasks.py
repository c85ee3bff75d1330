"""Supporter fundraising's tasks: thin wrappers around `fundraising.emails`, primary keys only."""

from django.tasks import task

from fundraising import emails


@task
def gift_received_send(*, gift_id: int) -> None:
    emails.gift_received_send(gift_id=gift_id)


@task
def page_review_send(*, page_id: int) -> None:
    emails.page_review_send(page_id=page_id)
