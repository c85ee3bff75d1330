"""A member's erasure and export, as newsletters applies them (the personal-data contract,
core/hooks.py PERSONAL_DATA_HOOK).

Found by account or by the address it had: the member's subscriptions (each with its consent
record: the wording shown, its version, when and how), and the deliveries of newsletters to
them. The data export shows exactly these rows (accounts.export).

At erasure, subscriptions are kept as anonymous rows, not deleted, so a mailing's counts
still add up: the address becomes `erased-subscription-<id>@erased.invalid` (never emailed),
the account link and language are emptied, and the row is UNSUBSCRIBED (from then on, never
sent to; its deliveries still queued are skipped). Dates, method, and the consent wording and
version stay: they are our words, not the member's. A delivery's error text (a mail server's
reply may quote the address) is emptied. Erasing twice changes nothing more.
"""

from django.db.models import Q
from django.utils import timezone

from core.locking import for_update
from core.personal_data import Member, PersonalData, Rows, erased_email
from newsletters.models import Delivery, Subscription


def _pks(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def newsletters_member_rows(member: Member, found: Rows) -> Rows:
    by_address = Q(email__iexact=member.email) if member.email else Q(pk__in=[])
    subscriptions = _pks(Subscription.objects.filter(Q(user_id=member.user_id) | by_address))
    return {
        Subscription._meta.label: subscriptions,
        Delivery._meta.label: _pks(Delivery.objects.filter(subscription_id__in=subscriptions)),
    }


def newsletters_erase_member(member: Member, found: Rows) -> None:
    now = timezone.now()
    rows = Subscription.objects.filter(pk__in=found.get(Subscription._meta.label, ()))
    for subscription in for_update(rows):
        subscription.email = erased_email("subscription", subscription.pk)
        subscription.user = None
        subscription.language = ""
        if subscription.status != Subscription.Status.UNSUBSCRIBED:
            subscription.status, subscription.unsubscribed_at = Subscription.Status.UNSUBSCRIBED, now
        subscription.save(update_fields=["email", "user", "language", "status", "unsubscribed_at"])
    deliveries = Delivery.objects.filter(pk__in=found.get(Delivery._meta.label, ()))
    deliveries.filter(status=Delivery.Status.QUEUED).update(status=Delivery.Status.SKIPPED)
    deliveries.exclude(error="").update(error="")


PERSONAL_DATA = PersonalData(
    personal={
        "newsletters.Subscription": ("email", "language"),
        "newsletters.Delivery": ("error",),
    },
    not_personal={
        "newsletters.MailingList": "lists staff set up (names, descriptions, languages)",
        "newsletters.NewsletterIndexPage": "page content staff publish",
        "newsletters.NewsletterPage": "page content staff publish",
        "newsletters.Mailing": "one newsletter's frozen message, the same for every recipient, and its status",
        "newsletters.Subscription.status": "a status",
        "newsletters.Subscription.method": "a choice (how they subscribed)",
        "newsletters.Subscription.consent_wording": "our words the subscriber agreed to (the consent record)",
        "newsletters.Subscription.consent_version": "the version of our words",
        "newsletters.Delivery.status": "a status",
    },
    tasks={
        "newsletters.tasks.subscription_confirm_send": {"subscription_id": "newsletters.Subscription"},
        "newsletters.tasks.subscription_already_send": {"subscription_id": "newsletters.Subscription"},
        # Sending: they name a mailing, never one member's row (a delivery to an erased
        # address is skipped: its subscription is UNSUBSCRIBED and its queued rows SKIPPED).
        "newsletters.tasks.mailing_start": {},
        "newsletters.tasks.mailing_send_batch": {},
        "newsletters.tasks.mailing_recover": {},
    },
    rows=newsletters_member_rows,
    erase=newsletters_erase_member,
)
