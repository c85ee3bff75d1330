"""Newsletters' tasks: each takes primary keys only and is safe to run twice. Sending's run
the service of the same name (newsletters.services.sending: a batch claims its rows; a start
or a recovery changes only what is still due); subscribing's send one email each."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from core.tasks import requeue_after
from newsletters.services import sending

RECOVER_INTERVAL = timedelta(minutes=1)

# Sending -------------------------------------------------------------------------------------


@task
def mailing_start(*, mailing_id: int) -> int:
    """`mailing_start`: freeze the message, queue one delivery per confirmed subscriber and
    the first batch. Sends nothing itself."""
    return sending.mailing_start(mailing_id=mailing_id)


@task
def mailing_send_batch(*, mailing_id: int) -> dict:
    """`mailing_send_batch`: SENDS EMAIL to up to BATCH_SIZE recipients, then queues the next
    batch: at once while rows are queued, later while rows are held by another worker or the
    mail server is unreachable, never once the mailing is sent, paused or cancelled."""
    outcome = sending.mailing_send_batch(mailing_id=mailing_id)
    if outcome.again == "now":
        mailing_send_batch.enqueue(mailing_id=mailing_id)
    elif outcome.again == "later":
        wait = max(timedelta(seconds=1), outcome.later_at - timezone.now())
        requeue_after(mailing_send_batch, wait, mailing_id=mailing_id)
    return outcome.as_dict()


@task
def mailing_recover() -> dict:
    """Every minute: claims held past their lease back to the queue (`mailing_recover`),
    mailings whose time has come started (`mailings_due_start`: their deferred start was lost),
    and a batch for each mailing nothing has sent from for a lease (`mailings_stalled_revive`).
    Queues its next run first."""
    requeue_after(mailing_recover, RECOVER_INTERVAL)
    return {
        "queued_again": sending.mailing_recover(),
        "started": len(sending.mailings_due_start()),
        "revived": len(sending.mailings_stalled_revive()),
    }


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
