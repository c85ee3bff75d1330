"""Subscribing and unsubscribing (issue 18): double opt-in, each subscription with its consent
record (the wording shown, its version, when and how).

Rules:
- A request never tells the page whether the address was already on a list: every call
  answers the same way and queues exactly one email to the address. Lists still to confirm
  get the confirmation email (one link for the lists of that request); when every list asked
  for is already confirmed, the address's owner gets a short "you are already subscribed"
  email instead (accounts' "already waiting" style: the owner learns someone asked, nobody
  else learns anything). Nothing of a confirmed subscription changes.
- Confirming is a POST from the link's page (mail scanners follow links: a GET changes
  nothing). The link confirms the lists of the request it was sent for (same address, asked
  at the same moment) that the page showed, and only those still waiting.
- Unsubscribing takes effect at once (RFC 8058): the row is UNSUBSCRIBED and its deliveries
  still queued are skipped, in the same transaction.
- A signed-in member's own, verified address needs no email: from their account page their
  choice is confirmed at once (method "account"). Every other way (the sign-up form, the
  "keep me posted" box on the donation and booking forms) is double opt-in, for members too.
- Members in discreet mode are never subscribed without their own act: nothing here subscribes
  anyone but the address typed (or the member's own choice on their account page), and the
  "keep me posted" box is never ticked for them. Their emails are neutral (core.email).
- Erased addresses are never subscribed (nothing is stored, nothing sent).
"""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import MemberProfile, PartnerContact
from core.audit import audit_record
from core.locking import for_update
from core.personal_data import is_erased_email
from core.tasks import enqueue_on_commit
from newsletters import tasks
from newsletters.consent import consent_for
from newsletters.models import Delivery, MailingList, Subscription

Status = Subscription.Status
Method = Subscription.Method
Audience = MailingList.Audience


def audiences_for(user) -> list[str]:
    """The audiences whose lists `user` may join: everyone the public lists; signed-in members
    (an active member profile) the members' lists; partner organisations' contacts theirs."""
    found = [Audience.PUBLIC]
    if user is not None and user.is_authenticated:
        if MemberProfile.objects.active().filter(user=user).exists():
            found.append(Audience.MEMBERS)
        if PartnerContact.objects.filter(user=user).exists():
            found.append(Audience.PARTNERS)
    return found


def offered_lists(*, language: str, user=None) -> QuerySet:
    """The lists a sign-up form offers in `language` to `user` (None: a visitor)."""
    return MailingList.objects.filter(offered_on_forms=True, language=language, audience__in=audiences_for(user))


def keep_posted_lists(*, language: str) -> QuerySet:
    """The lists a "keep me posted" box (donation, booking) subscribes to: the public lists
    offered on forms in that form's language."""
    return MailingList.objects.filter(offered_on_forms=True, language=language, audience=Audience.PUBLIC)


def _normalised(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def subscription_request(*, email: str, lists, language: str, method: str, user=None) -> list[Subscription]:
    """Ask to subscribe `email` to `lists` (double opt-in). New or unsubscribed rows become
    PENDING with the consent wording and version for `method`; one email is queued on commit:
    the confirmation link for the lists still to confirm, or, when all were confirmed already,
    "you are already subscribed". Confirmed rows are not changed. `user` is the signed-in
    account, linked only when `email` is its own address. Returns the rows waiting for
    confirmation (the caller must not show anything that depends on it). Sends no email
    itself; an erased address stores and queues nothing."""
    email = _normalised(email)
    lists = list(lists)
    if not lists or is_erased_email(email):
        return []
    account = user if user is not None and user.is_authenticated and _normalised(user.email) == email else None
    wording, version = consent_for(method)
    now = timezone.now()
    waiting, already = [], []
    for mailing_list in lists:
        row, _created = Subscription.objects.get_or_create(
            mailing_list=mailing_list,
            email=email,
            defaults={"method": method, "consent_wording": wording, "consent_version": version, "language": language},
        )
        row = for_update(Subscription.objects.filter(pk=row.pk)).get()
        if row.status == Status.CONFIRMED:
            already.append(row)
            continue
        row.status = Status.PENDING
        row.method, row.consent_wording, row.consent_version = method, wording, version
        row.language = language
        row.user = account or row.user
        row.requested_at = now  # the request's rows share this moment: one link confirms them
        row.confirmed_at = row.unsubscribed_at = None
        row.save()
        waiting.append(row)
    for row in waiting:
        audit_record(actor=account, action="newsletter.subscription_requested", obj=row, method=method)
    if waiting:
        enqueue_on_commit(tasks.subscription_confirm_send, subscription_id=waiting[0].pk)
    else:
        enqueue_on_commit(tasks.subscription_already_send, subscription_id=already[0].pk)
    return waiting


def keep_posted_request(*, email: str, language: str, method: str, user=None) -> list[Subscription]:
    """The "keep me posted" box was ticked (by the person: it is never ticked for them) on a
    donation or booking form sent in `language`: ask to subscribe to that language's public
    lists (double opt-in). Nothing when there is none."""
    return subscription_request(
        email=email, lists=keep_posted_lists(language=language), language=language, method=method, user=user
    )


def request_batch(subscription: Subscription) -> QuerySet:
    """The rows one confirmation link stands for: the same address's rows still waiting that
    were asked for in the same request as `subscription`."""
    return Subscription.objects.filter(
        email=subscription.email, status=Status.PENDING, requested_at=subscription.requested_at
    ).select_related("mailing_list")


def subscription_for_link(subscription_id: int, email: str) -> Subscription | None:
    """The row a valid signed link names, if it still exists with the address the link was made
    for (an erased row has another address)."""
    return Subscription.objects.filter(pk=subscription_id, email=email).select_related("mailing_list").first()


@transaction.atomic
def subscription_confirm(*, subscription: Subscription, list_ids) -> list[Subscription]:
    """Confirm the rows of `subscription`'s request (see `request_batch`) whose lists are among
    `list_ids` (those the confirmation page showed). Rows no longer waiting are left alone,
    so a second POST changes nothing. Returns the rows confirmed now. Sends no email."""
    wanted = {int(pk) for pk in list_ids}
    rows = list(for_update(request_batch(subscription).filter(mailing_list_id__in=wanted), of=("self",)))
    now = timezone.now()
    for row in rows:
        row.status, row.confirmed_at = Status.CONFIRMED, now
        row.save(update_fields=["status", "confirmed_at"])
        audit_record(actor=None, action="newsletter.subscription_confirmed", obj=row)
    return rows


@transaction.atomic
def subscription_unsubscribe(*, subscription: Subscription, actor=None) -> bool:
    """Take the address off this one list at once: UNSUBSCRIBED now, and its deliveries still
    queued are skipped (a mailing being sent does not reach it). Returns False when it was not
    subscribed (already off: nothing changes, no error, as RFC 8058 wants). Sends no email."""
    row = for_update(Subscription.objects.filter(pk=subscription.pk)).first()
    if row is None or row.status == Status.UNSUBSCRIBED:
        return False
    row.status, row.unsubscribed_at = Status.UNSUBSCRIBED, timezone.now()
    row.save(update_fields=["status", "unsubscribed_at"])
    Delivery.objects.filter(subscription=row, status=Delivery.Status.QUEUED).update(status=Delivery.Status.SKIPPED)
    audit_record(actor=actor, action="newsletter.unsubscribed", obj=row)
    return True


def member_address_verified(user) -> bool:
    """Has the member proved they receive mail at their sign-in address (allauth)?"""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def member_subscriptions(user) -> QuerySet:
    """The rows of `user`'s own address (or linked to their account), any status."""
    return Subscription.objects.filter(Q(user=user) | Q(email=_normalised(user.email))).select_related("mailing_list")


@transaction.atomic
def member_choices_save(*, user, chosen, offered, language: str) -> list[Subscription]:
    """A signed-in member's choices on their newsletters page: of the `offered` lists, those
    `chosen` are subscribed, the others unsubscribed. Their sign-in address is theirs, so when
    allauth has verified it the choice is confirmed at once (method "account", no email);
    otherwise it is double opt-in like the sign-up form. Returns rows now waiting for
    confirmation (empty when confirmed at once)."""
    chosen_ids = {mailing_list.pk for mailing_list in chosen}
    email = _normalised(user.email)
    current = {row.mailing_list_id: row for row in member_subscriptions(user).filter(email=email)}
    for mailing_list in offered:
        row = current.get(mailing_list.pk)
        if mailing_list.pk not in chosen_ids and row is not None and row.status != Status.UNSUBSCRIBED:
            subscription_unsubscribe(subscription=row, actor=user)
    to_add = [
        ml for ml in offered if ml.pk in chosen_ids and getattr(current.get(ml.pk), "status", None) != Status.CONFIRMED
    ]
    if not to_add:
        return []
    if not member_address_verified(user):
        return subscription_request(email=email, lists=to_add, language=language, method=Method.ACCOUNT, user=user)
    wording, version = consent_for(Method.ACCOUNT)
    now = timezone.now()
    for mailing_list in to_add:
        row, _created = Subscription.objects.get_or_create(
            mailing_list=mailing_list,
            email=email,
            defaults={"method": Method.ACCOUNT, "consent_wording": wording, "consent_version": version},
        )
        row = for_update(Subscription.objects.filter(pk=row.pk)).get()
        row.status, row.method, row.user, row.language = Status.CONFIRMED, Method.ACCOUNT, user, language
        row.consent_wording, row.consent_version = wording, version
        row.requested_at = row.confirmed_at = now
        row.unsubscribed_at = None
        row.save()
        audit_record(actor=user, action="newsletter.subscribed_from_account", obj=row)
    return []
