"""Members' interest and engagements.

States: Interest interested -> chosen | not_chosen | withdrawn. Engagement offered (staff chose
the member) -> confirmed (the member said yes: the organisation now sees `shown_as`, both get the
brief) -> completed (staff, after the date); offered or confirmed -> withdrawn (the member, any
time, no reason asked; the organisation is told neutrally) or cancelled (staff).

Lock order: the opportunity row, then the interest or engagement row. Choosing a member counts
the opportunity's places under the opportunity's lock, so two staff choosing at once cannot
fill more places than the request asked for.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MemberProfile
from core.audit import audit_record
from core.tasks import enqueue_on_commit
from voices import selectors
from voices.models import Appearance, Engagement, Interest, Opportunity, ThanksChoice, ThanksPreference

TAKING_PLACE = (Engagement.Status.OFFERED, Engagement.Status.CONFIRMED, Engagement.Status.COMPLETED)


def _tasks():
    from voices import tasks  # noqa: PLC0415

    return tasks


@transaction.atomic
def interest_express(
    *,
    member,
    opportunity: Opportunity,
    availability: str,
    appearance: str,
    pseudonym: str = "",
    no_photos: bool = True,
    no_recording: bool = True,
) -> Interest:
    """Record (or update, while not yet chosen) `member`'s interest. Refuses a member who is not
    eligible (the view answers 404 before this), a closed opportunity, and a pseudonym choice
    without a pseudonym. Sends no email."""
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("request").get(pk=opportunity.pk)
    if not selectors.is_eligible(member, opportunity):
        raise ValidationError(_("This opportunity is not open to you."), code="not_eligible")
    if (
        opportunity.status != Opportunity.Status.OPEN
        or (opportunity.closes_at and opportunity.closes_at <= timezone.now())
        or opportunity.request.starts_at <= timezone.now()
    ):
        raise ValidationError(_("This opportunity is no longer taking interest."), code="closed")
    if appearance == Appearance.PSEUDONYM and not pseudonym.strip():
        raise ValidationError({"pseudonym": _("Type the pseudonym you want to be known by.")})
    if appearance != Appearance.PSEUDONYM:
        pseudonym = ""
    interest = Interest.objects.select_for_update().filter(opportunity=opportunity, member=member).first()
    if interest is not None and interest.status not in (Interest.Status.INTERESTED, Interest.Status.WITHDRAWN):
        raise ValidationError(_("Staff have already answered your interest; write to them to change it."))
    values = {
        "availability": availability,
        "appearance": appearance,
        "pseudonym": pseudonym.strip(),
        "no_photos": no_photos,
        "no_recording": no_recording,
        "status": Interest.Status.INTERESTED,
    }
    if interest is None:
        interest = Interest.objects.create(opportunity=opportunity, member=member, **values)
    else:
        for name, value in values.items():
            setattr(interest, name, value)
        interest.save()
    audit_record(actor=member, action="voices.interest_expressed", obj=interest)
    return interest


@transaction.atomic
def interest_withdraw(*, member, interest: Interest) -> Interest:
    """The member takes back their interest (before being chosen; after, withdraw the engagement)."""
    interest = Interest.objects.select_for_update().get(pk=interest.pk, member=member)
    if interest.status == Interest.Status.CHOSEN:
        raise ValidationError(_("You have been chosen: withdraw from the engagement instead."))
    interest.status = Interest.Status.WITHDRAWN
    interest.save(update_fields=["status", "updated_at"])
    audit_record(actor=member, action="voices.interest_withdrawn", obj=interest)
    return interest


@transaction.atomic
def engagement_offer(*, interest: Interest, actor, fee_minor: int | None = None) -> Engagement:
    """Staff choose an interested member: an engagement offered to them (the member is emailed
    and must confirm). Refuses when the request's places are taken, the interest was withdrawn
    or already chosen. The fee defaults to the request's offer; the staff contact is the
    opportunity's. Sends one email to the member (on commit)."""
    opportunity = Opportunity.objects.select_for_update().select_related("request").get(pk=interest.opportunity_id)
    interest = Interest.objects.select_for_update().get(pk=interest.pk)
    if interest.status != Interest.Status.INTERESTED:
        raise ValidationError(_("This member is no longer waiting to be chosen."))
    taken = Engagement.objects.filter(opportunity=opportunity, status__in=TAKING_PLACE).count()
    if taken >= opportunity.request.places:
        raise ValidationError(
            _("All %(places)s places are taken. Cancel an engagement first.") % {"places": opportunity.request.places}
        )
    request = opportunity.request
    engagement = Engagement.objects.create(
        opportunity=opportunity,
        interest=interest,
        member_id=interest.member_id,
        staff_contact_id=opportunity.staff_contact_id,
        starts_at=request.starts_at,
        currency=request.currency,
        fee_minor=request.fee_offered_minor if fee_minor is None else fee_minor,
        hours=request.hours,
    )
    interest.status = Interest.Status.CHOSEN
    interest.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="voices.engagement_offered", obj=engagement)
    enqueue_on_commit(_tasks().engagement_offered_send, engagement_id=engagement.pk)
    return engagement


def _shown_as(interest: Interest) -> str:
    if interest.appearance == Appearance.DISPLAY_NAME:
        profile = MemberProfile.objects.filter(user_id=interest.member_id).first()
        return profile.display_name if profile else ""
    if interest.appearance == Appearance.PSEUDONYM:
        return interest.pseudonym
    return ""  # anonymous: the organisation reads "Anonymous"


@transaction.atomic
def engagement_confirm(*, member, engagement: Engagement) -> Engagement:
    """The member says yes. Only now does the organisation see what the member chose to show;
    both get the brief (two emails, on commit). Refuses anyone but the member, and an
    engagement no longer offered. Idempotent for a double click (already confirmed: unchanged)."""
    engagement = Engagement.objects.select_for_update().select_related("interest").get(pk=engagement.pk)
    if engagement.member_id != member.pk:
        raise ValidationError(_("This is not your engagement."), code="not_yours")
    if engagement.status == Engagement.Status.CONFIRMED:
        return engagement
    if engagement.status != Engagement.Status.OFFERED:
        raise ValidationError(_("This engagement can no longer be confirmed."))
    engagement.status = Engagement.Status.CONFIRMED
    engagement.confirmed_at = timezone.now()
    engagement.shown_as = _shown_as(engagement.interest)
    thanks = ThanksPreference.objects.filter(member=member).values_list("choice", flat=True).first()
    engagement.thanks = thanks or ""
    engagement.save(update_fields=["status", "confirmed_at", "shown_as", "thanks"])
    request = engagement.opportunity.request
    if request.status == request.Status.PUBLISHED:
        request.status = request.Status.FILLED
        request.save(update_fields=["status", "updated_at"])
    audit_record(actor=member, action="voices.engagement_confirmed", obj=engagement)
    enqueue_on_commit(_tasks().engagement_briefs_send, engagement_id=engagement.pk)
    return engagement


@transaction.atomic
def engagement_withdraw(*, member, engagement: Engagement) -> Engagement:
    """The member withdraws, at any time before it is completed, without giving a reason. The
    organisation (if it had been told of the member) and the staff contact are told neutrally.
    Idempotent."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.member_id != member.pk:
        raise ValidationError(_("This is not your engagement."), code="not_yours")
    if engagement.status == Engagement.Status.WITHDRAWN:
        return engagement
    if engagement.status not in (Engagement.Status.OFFERED, Engagement.Status.CONFIRMED):
        raise ValidationError(_("This engagement has finished; there is nothing to withdraw from."))
    was_confirmed = engagement.status == Engagement.Status.CONFIRMED
    engagement.status = Engagement.Status.WITHDRAWN
    engagement.withdrawn_at = timezone.now()
    engagement.save(update_fields=["status", "withdrawn_at"])
    Interest.objects.filter(pk=engagement.interest_id).update(status=Interest.Status.WITHDRAWN)
    audit_record(actor=member, action="voices.engagement_withdrawn", obj=engagement)
    enqueue_on_commit(_tasks().engagement_withdrawn_send, engagement_id=engagement.pk, tell_organisation=was_confirmed)
    return engagement


@transaction.atomic
def engagement_complete(*, engagement: Engagement, actor) -> Engagement:
    """Staff record that a confirmed engagement took place (after its start). Payment becomes
    due for Finance to approve (or "not paid" when the member chose a voucher or nothing)."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.status == Engagement.Status.COMPLETED:
        return engagement
    if engagement.status != Engagement.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed engagement can be marked as done."))
    if engagement.starts_at > timezone.now():
        raise ValidationError(_("This engagement has not happened yet."))
    engagement.status = Engagement.Status.COMPLETED
    engagement.completed_at = timezone.now()
    engagement.save(update_fields=["status", "completed_at"])
    audit_record(actor=actor, action="voices.engagement_completed", obj=engagement)
    return engagement


@transaction.atomic
def engagement_feedback_give(*, member, engagement: Engagement, text: str) -> Engagement:
    """After the engagement, the member tells staff privately how it went (staff only)."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.member_id != member.pk:
        raise ValidationError(_("This is not your engagement."), code="not_yours")
    if engagement.status not in (Engagement.Status.CONFIRMED, Engagement.Status.COMPLETED) or (
        engagement.starts_at > timezone.now()
    ):
        raise ValidationError(_("You can tell us how it went once it has taken place."))
    if not text.strip():
        raise ValidationError({"text": _("Write a few words, or leave the page.")})
    engagement.feedback = text.strip()
    engagement.feedback_at = timezone.now()
    engagement.save(update_fields=["feedback", "feedback_at"])
    audit_record(actor=member, action="voices.feedback_given", obj=engagement)
    enqueue_on_commit(_tasks().engagement_feedback_send, engagement_id=engagement.pk)
    return engagement


@transaction.atomic
def thanks_preference_set(*, member, choice: str, reason: str = "") -> ThanksPreference:
    """How the member is thanked (payment, voucher, nothing). Applies to engagements not yet
    paid. The reason is for Finance only."""
    if choice not in ThanksChoice.values:
        raise ValidationError({"choice": _("Choose how you would like to be thanked.")})
    preference, _created = ThanksPreference.objects.update_or_create(
        member=member, defaults={"choice": choice, "reason": reason.strip()}
    )
    Engagement.objects.filter(member=member).exclude(payment=Engagement.Payment.PAID).exclude(
        status__in=[Engagement.Status.WITHDRAWN, Engagement.Status.CANCELLED]
    ).update(thanks=choice)
    audit_record(actor=member, action="voices.thanks_chosen", obj=preference, choice=choice)
    return preference
