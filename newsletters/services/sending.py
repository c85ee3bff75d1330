"""Sending a newsletter to a list (issue 18, item 3): scheduled, frozen, sent in batches by the
task queue, each recipient exactly once through a crash, pausable, cancellable. Sends email
(the split-phase SMTP sender, newsletters/smtp.py); moves no money.

The life of a `Mailing`: SCHEDULED (`mailing_schedule`) -> SENDING (`mailing_start` at its
time: the message frozen, one QUEUED `Delivery` per confirmed subscription) -> SENT when no
delivery is QUEUED or SENDING; PAUSED and back (`mailing_pause`, `mailing_resume`); CANCELLED
from any state before SENT (`mailing_cancel`).

A delivery's life (the claim protocol of newsletters/models.py):
- Claimed by a batch (`mailing_send_batch`): QUEUED -> SENDING with `claimed_at` and
  `attempts` + 1, committed; rows whose subscription is no longer confirmed -> SKIPPED.
- For each claimed row: the message to the SMTP server without its final "."; then the row
  SENDING -> SENT in a transaction of its own, only if it is still SENDING with the same
  `attempts` (the claim's fencing token: a row recovered and claimed again by another batch
  is not this batch's any more), its subscription still confirmed and its mailing still
  SENDING (an unsubscribe or a pause takes effect up to the last moment); then the ".".
  When that update changes nothing, the connection is dropped (the server discards the
  message) and the row is left to whoever holds it, SKIPPED, or released.
- Recovery (`mailing_recover`, at the start of every batch and every minute): rows SENDING
  for longer than the lease (a worker killed mid-batch) go back to QUEUED; after
  MAX_ATTEMPTS claims, FAILED. The fencing token makes a lease that is too short cost only
  repeated work, never a second copy.

The sending of each claimed row is in newsletters/services/delivering.py.

No tracking: the frozen HTML and text go out as they are (the unsubscribe link filled in);
nothing records opens or clicks.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import batched

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone
from wagtail.models import Page

from core.audit import audit_record
from core.locking import for_update
from core.page_cache import bump
from core.personal_data import is_erased_email
from core.tasks import enqueue_on_commit
from newsletters.models import ARCHIVE_CACHE_KEY, Delivery, Mailing, Subscription
from newsletters.rendering import newsletter_message
from newsletters.services.delivering import MAX_ATTEMPTS, BatchStop, Composer, claims_release, delivery_send
from newsletters.smtp import SplitSender

logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # rows claimed at once: about a tenth of a second of sending to a local server
CREATE_CHUNK = 1000  # deliveries inserted per statement when a mailing starts
DEFAULT_LEASE_SECONDS = 300


class MailingStateError(ValueError):
    """The mailing is not in a state that allows this (pausing one already sent, say)."""


def claim_lease() -> timedelta:
    """How long a claimed row may stay SENDING before recovery takes it back
    (settings.NEWSLETTER_CLAIM_LEASE_SECONDS): longer than a batch takes."""
    return timedelta(seconds=getattr(settings, "NEWSLETTER_CLAIM_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


# Scheduling and the mailing's state ------------------------------------------------------


def mailing_schedule(*, newsletter, mailing_list, send_at: datetime, actor) -> Mailing:
    """Schedule `newsletter` to `mailing_list` at `send_at` (now or later). The message is
    frozen when sending starts, so edits until then count. Sends nothing itself."""
    with transaction.atomic():
        mailing = Mailing.objects.create(
            newsletter=newsletter, mailing_list=mailing_list, send_at=send_at, created_by=actor
        )
        audit_record(
            actor=actor,
            action="newsletters.mailing_schedule",
            obj=mailing,
            newsletter_id=newsletter.pk,
            list_id=mailing_list.pk,
        )
        _queue_start(mailing)
    return mailing


def _queue_start(mailing: Mailing) -> None:
    """The start task at `send_at`; a queue that cannot wait (tests) leaves a later time to
    the minutely `mailing_recover`."""
    from newsletters.tasks import mailing_start as start_task  # newsletters.tasks imports this module

    if mailing.send_at <= timezone.now():
        enqueue_on_commit(start_task, mailing_id=mailing.pk)
    elif start_task.get_backend().supports_defer:
        deferred = start_task.using(run_after=mailing.send_at)
        transaction.on_commit(lambda: deferred.enqueue(mailing_id=mailing.pk))


def _queue_batch(mailing_id: int) -> None:
    from newsletters.tasks import mailing_send_batch as batch_task  # newsletters.tasks imports this module

    enqueue_on_commit(batch_task, mailing_id=mailing_id)


def mailing_start(*, mailing_id: int) -> int:
    """Start a SCHEDULED mailing whose time has come: freeze subject, HTML and text, create one
    QUEUED delivery per confirmed subscription of its list (in one transaction, CREATE_CHUNK
    rows per statement, conflicts ignored: a second run adds nobody twice), queue the first
    batch. Anything else (not due, already started, cancelled) is left alone. Returns the
    number of deliveries."""
    with transaction.atomic():
        mailing = (
            for_update(Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SCHEDULED))
            .select_related("newsletter", "mailing_list")
            .first()
        )
        if mailing is None or mailing.send_at > timezone.now():
            return 0
        mailing.subject, mailing.html, mailing.text = _frozen_message(mailing)
        mailing.status = Mailing.Status.SENDING
        mailing.started_at = timezone.now()
        mailing.save(update_fields=["subject", "html", "text", "status", "started_at"])
        confirmed = (
            Subscription.objects.filter(mailing_list_id=mailing.mailing_list_id, status=Subscription.Status.CONFIRMED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for chunk in batched(confirmed.iterator(chunk_size=CREATE_CHUNK), CREATE_CHUNK):
            Delivery.objects.bulk_create(
                [Delivery(mailing_id=mailing.pk, subscription_id=pk) for pk in chunk], ignore_conflicts=True
            )
        _queue_batch(mailing.pk)
    return Delivery.objects.filter(mailing_id=mailing_id).count()


def _frozen_message(mailing: Mailing) -> tuple[str, str, str]:
    """(subject, HTML, text) of the newsletter as it is now, rendered once with the
    unsubscribe placeholder (newsletters.rendering)."""
    message = newsletter_message(mailing.newsletter, mailing_list=mailing.mailing_list)
    return message.subject, message.html, message.text


def _state_change(mailing: Mailing, *, allowed: tuple[str, ...], to: str, actor, action: str) -> Mailing:
    with transaction.atomic():
        locked = for_update(Mailing.objects.filter(pk=mailing.pk)).get()
        if locked.status not in allowed:
            raise MailingStateError(locked.status)
        locked.status = to
        fields = ["status"]
        if to == Mailing.Status.CANCELLED:
            locked.finished_at = timezone.now()
            fields.append("finished_at")
        locked.save(update_fields=fields)
        audit_record(actor=actor, action=action, obj=locked)
        if to == Mailing.Status.SENDING:
            _queue_batch(locked.pk)
    return locked


def mailing_pause(*, mailing: Mailing, actor) -> Mailing:
    """Pause a mailing being sent: batches stop claiming, and a row already claimed is sent
    only if it was marked SENT before the pause (the rest go back to the queue)."""
    return _state_change(
        mailing,
        allowed=(Mailing.Status.SENDING,),
        to=Mailing.Status.PAUSED,
        actor=actor,
        action="newsletters.mailing_pause",
    )


def mailing_resume(*, mailing: Mailing, actor) -> Mailing:
    """Resume a paused mailing: a batch is queued again; nobody already sent is sent again."""
    return _state_change(
        mailing,
        allowed=(Mailing.Status.PAUSED,),
        to=Mailing.Status.SENDING,
        actor=actor,
        action="newsletters.mailing_resume",
    )


def mailing_cancel(*, mailing: Mailing, actor) -> Mailing:
    """Cancel a mailing not yet sent in full (scheduled, sending or paused): nobody else gets
    it; those already sent stay recorded as sent."""
    return _state_change(
        mailing,
        allowed=(Mailing.Status.SCHEDULED, Mailing.Status.SENDING, Mailing.Status.PAUSED),
        to=Mailing.Status.CANCELLED,
        actor=actor,
        action="newsletters.mailing_cancel",
    )


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    skipped: int
    failed: int

    @property
    def done(self) -> int:
        return self.sent + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


def mailing_progress(mailing: Mailing) -> Progress:
    """Counts of the mailing's deliveries by outcome, in one query."""
    counts = Delivery.objects.filter(mailing=mailing).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
        skipped=Count("pk", filter=Q(status=Delivery.Status.SKIPPED)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
    )
    return Progress(**counts)


# Recovery ----------------------------------------------------------------------------------


def mailing_recover(*, mailing_id: int | None = None, now: datetime | None = None) -> int:
    """Rows SENDING for longer than the lease (their worker was killed, or lost its database)
    go back to QUEUED, or to FAILED once claimed MAX_ATTEMPTS times; for one mailing or all.
    Safe beside live batches: a batch whose row was taken back cannot mark it SENT (fencing
    by `attempts`). Returns the number of rows queued again."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - claim_lease())
    if mailing_id is not None:
        stale = stale.filter(mailing_id=mailing_id)
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(status=Delivery.Status.FAILED, error="lost with its worker")
    queued = stale.filter(attempts__lt=MAX_ATTEMPTS).update(status=Delivery.Status.QUEUED)
    if queued:
        logger.warning("newsletters: %d deliveries lost with a worker queued again", queued)
    return queued


def mailings_due_start(*, now: datetime | None = None) -> list[int]:
    """Start every SCHEDULED mailing whose time has passed (their deferred start task may have
    been lost with an emptied queue). Returns their ids."""
    now = now or timezone.now()
    due = list(Mailing.objects.filter(status=Mailing.Status.SCHEDULED, send_at__lte=now).values_list("pk", flat=True))
    for mailing_id in due:
        mailing_start(mailing_id=mailing_id)
    return due


def mailings_stalled_revive(*, now: datetime | None = None) -> list[int]:
    """Queue a batch for each SENDING mailing that nothing has claimed from for a lease (its
    chain of batches ended with a worker lost too often): the batch sends what is left, or
    records the mailing as SENT. Returns their ids."""
    quiet_since = (now or timezone.now()) - claim_lease()
    stalled = list(
        Mailing.objects.filter(status=Mailing.Status.SENDING, started_at__lt=quiet_since)
        .annotate(last_claim=Max("deliveries__claimed_at"))
        .filter(Q(last_claim__isnull=True) | Q(last_claim__lt=quiet_since))
        .values_list("pk", flat=True)
    )
    for mailing_id in stalled:
        with transaction.atomic():
            _queue_batch(mailing_id)
    return stalled


# One batch ---------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    """What a batch did, and when the next should run: `again` is "now", "later" (at
    `later_at`: rows still claimed by another worker, or the mail server unreachable) or
    "never" (the mailing is finished, paused or cancelled)."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    again: str = "now"
    later_at: datetime | None = None

    def as_dict(self) -> dict:
        return {"sent": self.sent, "skipped": self.skipped, "failed": self.failed, "again": self.again}


def mailing_send_batch(*, mailing_id: int) -> BatchOutcome:
    """Recover stale claims, claim up to BATCH_SIZE queued rows and send each over one SMTP
    connection (module docstring). Sends email. The caller (the task) queues the next batch
    as the outcome says."""
    mailing_recover(mailing_id=mailing_id)
    mailing = Mailing.objects.select_related("mailing_list").filter(pk=mailing_id).first()
    if mailing is None or mailing.status != Mailing.Status.SENDING:
        return BatchOutcome(again="never")
    language = (
        Page.objects.filter(pk=mailing.newsletter_id).values_list("locale__language_code", flat=True).first()
        or settings.LANGUAGE_CODE
    )
    claimed_at, rows, skipped = _claim(mailing)
    outcome = BatchOutcome(skipped=skipped)
    if not rows:
        return _finish_or_wait(mailing, outcome)
    sender = SplitSender()
    composer = Composer(mailing, language)
    remaining = list(rows)
    try:
        discreet = _discreet_among([row.subscription for row in rows])
        while remaining:
            row = remaining[0]
            result = delivery_send(
                sender, mailing, row, discreet=row.subscription.pk in discreet, language=language, composer=composer
            )
            remaining.pop(0)
            if result:
                setattr(outcome, result, getattr(outcome, result) + 1)
    except BatchStop as stop:  # the row under way has been put right by delivery_send
        outcome.again, outcome.later_at = stop.again, stop.later_at
        claims_release(remaining, claimed_at)
    except BaseException:
        # The row under way is left to the lease: its copy may have gone (a database error
        # after its "." was written). The task fails; mailing_recover revives the mailing.
        claims_release(remaining[1:], claimed_at)
        raise
    finally:
        sender.close()
    return outcome


def _claim(mailing: Mailing) -> tuple[datetime, list[Delivery], int]:
    """(claim time, rows claimed for sending, count skipped): up to BATCH_SIZE QUEUED rows no
    other batch holds, committed SENDING; those unsubscribed since (or erased) SKIPPED."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(mailing=mailing, status=Delivery.Status.QUEUED)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        skipped = (
            Delivery.objects.filter(pk__in=ids)
            .exclude(subscription__status=Subscription.Status.CONFIRMED)
            .update(status=Delivery.Status.SKIPPED, claimed_at=now)
        )
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    rows = list(
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENDING, claimed_at=now)
        .select_related("subscription")
        .order_by("pk")
    )
    erased = [row for row in rows if is_erased_email(row.subscription.email)]
    if erased:
        Delivery.objects.filter(pk__in=[row.pk for row in erased]).update(status=Delivery.Status.SKIPPED)
        rows = [row for row in rows if row not in erased]
    return now, rows, skipped + len(erased)


def _finish_or_wait(mailing: Mailing, outcome: BatchOutcome) -> BatchOutcome:
    """Nothing to claim: the mailing is SENT if no row is QUEUED or SENDING; otherwise run
    again now (rows queued but locked by a batch claiming them) or when the oldest claim held
    elsewhere expires (its worker may be dead)."""
    left = Delivery.objects.filter(mailing=mailing).aggregate(
        queued=Count("pk", filter=Q(status=Delivery.Status.QUEUED)),
        oldest_claim=Min("claimed_at", filter=Q(status=Delivery.Status.SENDING)),
    )
    if left["queued"]:
        outcome.again = "now"
    elif left["oldest_claim"] is not None:
        outcome.again, outcome.later_at = "later", left["oldest_claim"] + claim_lease()
    else:
        finished = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.SENT, finished_at=timezone.now()
        )
        if finished:
            bump(ARCHIVE_CACHE_KEY)  # a queryset update: models.mailing_saved does not see it
        outcome.again = "never"
    return outcome


def _discreet_among(subscriptions: list[Subscription]) -> set[int]:
    """Ids of the subscriptions whose account, or an account with their address, is in
    discreet mode (core.email.recipients_want_discretion's rule, for a batch in one query)."""
    emails = {subscription.email.strip().lower() for subscription in subscriptions}
    user_ids = {subscription.user_id for subscription in subscriptions if subscription.user_id}
    discreet = (
        get_user_model()
        .objects.filter(Q(email__in=emails) | Q(pk__in=user_ids), member_profile__discreet_mode=True)
        .values_list("pk", "email")
    )
    discreet_ids, discreet_emails = set(), set()
    for pk, email in discreet:
        discreet_ids.add(pk)
        discreet_emails.add(email.lower())
    return {
        subscription.pk
        for subscription in subscriptions
        if subscription.user_id in discreet_ids or subscription.email.strip().lower() in discreet_emails
    }
