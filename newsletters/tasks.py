"""Newsletters' tasks: each takes primary keys only and is safe to run twice.

(Sending's tasks are added by the sending work; this commit holds the subscribing ones.)"""

from django.tasks import task

# Subscribing (newsletters.subscription_emails; queued by services.subscriptions) -------------


@task
def subscription_confirm_send(*, subscription_id: int) -> None:
    """The double opt-in email: SENDS EMAIL to the address that asked, with the confirmation link."""
    from newsletters import subscription_emails  # noqa: PLC0415 - it imports services.subscriptions, which imports this

    subscription_emails.subscription_confirm_send(subscription_id=subscription_id)


@task
def subscription_already_send(*, subscription_id: int) -> None:
    """SENDS EMAIL: "you are already subscribed", to the address's owner only."""
    from newsletters import subscription_emails  # noqa: PLC0415 - it imports services.subscriptions, which imports this

    subscription_emails.subscription_already_send(subscription_id=subscription_id)
