"""Every write of supporter fundraising: pages (create, edit, approve, hide), teams, gifts
through a page (start, received, refunded) and donors' messages (approve, reject).

Rules:
- a page starts waiting for approval; only Communications approves or hides it;
- editing an approved page's title, story, name shown or photo sends it back for approval
  (what the public reads is always what staff read); its target, end date, team and
  sponsored flag change at once;
- a gift's money is counted once payments recorded its donation, and stops counting when
  that donation is refunded in full (the same rule as the campaign's total);
- a donor's message is shown only once staff approved it.
Keyword-only, atomic; refusals are ValidationErrors naming the field where there is one.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.locking import for_update
from core.tasks import enqueue_on_commit
from fundraising.campaign import campaign_changed
from fundraising.models import PAGE_TARGET_MAX_MINOR, FundraisingPage, Gift, Team
from fundraising.photos import photo_clean
from payments import services as payments_services
from payments.models import CampaignPage, Order

REFERENCE_PREFIX = "fundraising:"
NEEDS_REAPPROVAL = ("title", "story", "fundraiser_name", "photo")
RESENT_WITHIN = timedelta(minutes=10)


def _page_checks(*, target_minor: int, ends_on, campaign: CampaignPage) -> None:
    errors = {}
    if target_minor is None or target_minor <= 0:
        errors["target_minor"] = _("Set a target above zero, for example 250.")
    elif target_minor > PAGE_TARGET_MAX_MINOR:
        errors["target_minor"] = _("That target is higher than a supporter's page can have. Choose a smaller one.")
    if ends_on is None or ends_on < timezone.localdate():
        errors["ends_on"] = _("Choose an end date that is today or later.")
    elif campaign.ends_on and ends_on > campaign.ends_on:
        errors["ends_on"] = _("The campaign ends on %(day)s: choose that day or earlier.") % {
            "day": campaign.ends_on.strftime("%d/%m/%Y")
        }
    if errors:
        raise ValidationError(errors)


def _team_for(*, campaign: CampaignPage, team: Team | None, new_team_name: str, user) -> Team | None:
    name = " ".join((new_team_name or "").split())
    if team is not None:
        if team.campaign_id != campaign.pk or team.hidden:
            raise ValidationError({"team": _("Choose a team of this campaign.")})
        return team
    if not name:
        return None
    existing = Team.objects.filter(campaign=campaign, name__iexact=name).first()
    if existing is not None:
        if existing.hidden:
            raise ValidationError({"new_team_name": _("Choose another team name.")})
        return existing  # joining by typing the same name twice is joining
    try:
        with transaction.atomic():
            created = Team.objects.create(campaign=campaign, name=name, created_by=user)
    except IntegrityError:  # created by someone else a moment ago
        return Team.objects.get(campaign=campaign, name__iexact=name)
    audit_record(actor=user, action="fundraising.team_created", obj=created)
    return created


@transaction.atomic
def page_create(
    *,
    owner,
    campaign: CampaignPage,
    title: str,
    fundraiser_name: str,
    story: str,
    target_minor: int,
    ends_on,
    sponsored: bool = False,
    photo=None,
    team: Team | None = None,
    new_team_name: str = "",
) -> FundraisingPage:
    """A new page, waiting for approval. Refuses a target of zero or less, an end date in the
    past (or after the campaign's end), a photo `photo_clean` refuses, a team of another
    campaign. Sends no email."""
    if not campaign.live:
        raise ValidationError(_("This campaign is not taking gifts."))
    _page_checks(target_minor=target_minor, ends_on=ends_on, campaign=campaign)
    # The same form sent twice (a double click, a reload after the answer was lost): the
    # page made the first time, not a second one.
    same = FundraisingPage.objects.filter(
        owner=owner,
        campaign=campaign,
        title=title.strip(),
        story=story.strip(),
        created_at__gte=timezone.now() - RESENT_WITHIN,
    ).first()
    if same is not None:
        return same
    cleaned_photo = photo_clean(photo) if photo else None
    page = FundraisingPage(
        owner=owner,
        campaign=campaign,
        team=_team_for(campaign=campaign, team=team, new_team_name=new_team_name, user=owner),
        title=title.strip(),
        fundraiser_name=fundraiser_name.strip(),
        story=story.strip(),
        currency=campaign.currency,
        target_minor=target_minor,
        ends_on=ends_on,
        sponsored=sponsored,
    )
    if cleaned_photo is not None:
        page.photo.save(cleaned_photo.name, cleaned_photo, save=False)
    try:
        page.save()
    except Exception:
        if page.photo:
            page.photo.delete(save=False)
        raise
    audit_record(actor=owner, action="fundraising.page_created", obj=page)
    return page


@transaction.atomic
def page_update(
    *, page: FundraisingPage, actor, photo=None, team: Team | None = None, new_team_name: str = "", **fields
) -> FundraisingPage:
    """The owner's edit. Fields: title, fundraiser_name, story, target_minor, ends_on,
    sponsored. A change of what the public reads (NEEDS_REAPPROVAL) on an approved page
    sends it back for approval; a hidden page stays hidden."""
    page = for_update(FundraisingPage.objects.filter(pk=page.pk)).get()
    _page_checks(
        target_minor=fields.get("target_minor", page.target_minor),
        ends_on=fields.get("ends_on", page.ends_on),
        campaign=page.campaign,
    )
    changed = set()
    for name, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(page, name) != value:
            setattr(page, name, value)
            changed.add(name)
    old_photo = None
    if photo:
        cleaned = photo_clean(photo)
        old_photo = page.photo.name if page.photo else None
        page.photo.save(cleaned.name, cleaned, save=False)
        changed.add("photo")
    new_team = _team_for(campaign=page.campaign, team=team, new_team_name=new_team_name, user=actor)
    if new_team != page.team:
        page.team = new_team
        changed.add("team")
    was_public = page.status == FundraisingPage.Status.APPROVED
    if was_public and changed & set(NEEDS_REAPPROVAL):
        page.status = FundraisingPage.Status.PENDING
    page.save()
    if was_public and changed:
        campaign_changed([page.campaign_id])  # off the campaign's list, or its end date moved
    if old_photo:
        storage, name = page.photo.storage, old_photo
        transaction.on_commit(lambda: storage.delete(name))
    audit_record(actor=actor, action="fundraising.page_edited", obj=page, fields=sorted(changed))
    return page


def _page_review(*, page: FundraisingPage, actor, status: str, note: str, action: str) -> FundraisingPage:
    """Only a change of status is recorded, shown on the campaign's page and emailed to the
    owner (after commit): deciding the same twice changes and sends nothing."""
    from fundraising.tasks import page_review_send  # noqa: PLC0415 - tasks import the emails

    with transaction.atomic():
        page = for_update(FundraisingPage.objects.filter(pk=page.pk)).get()
        if page.status != status:
            page.status = status
            page.reviewed_by = actor
            page.reviewed_at = timezone.now()
            page.staff_note = note.strip()[:300]
            page.save(update_fields=["status", "reviewed_by", "reviewed_at", "staff_note", "updated_at"])
            audit_record(actor=actor, action=action, obj=page)
            campaign_changed([page.campaign_id])
            enqueue_on_commit(page_review_send, page_id=page.pk)
    return page


def page_approve(*, page: FundraisingPage, actor) -> FundraisingPage:
    """Make the page public; its owner is emailed. Approving twice changes nothing."""
    return _page_review(
        page=page, actor=actor, status=FundraisingPage.Status.APPROVED, note="", action="fundraising.page_approved"
    )


def page_hide(*, page: FundraisingPage, actor, note: str = "") -> FundraisingPage:
    """Take the page off public view (404); gifts already made still count. `note` is shown to
    the owner on the page (not in the email). The owner is emailed. Hiding twice changes nothing."""
    return _page_review(
        page=page, actor=actor, status=FundraisingPage.Status.HIDDEN, note=note, action="fundraising.page_hidden"
    )


@transaction.atomic
def team_set_hidden(*, team: Team, actor, hidden: bool) -> Team:
    """Hide a team (its page answers 404; nobody can join it) or show it again."""
    team = for_update(Team.objects.filter(pk=team.pk)).get()
    if team.hidden != hidden:
        team.hidden = hidden
        team.save(update_fields=["hidden"])
        audit_record(actor=actor, action="fundraising.team_hidden" if hidden else "fundraising.team_shown", obj=team)
    return team


def gift_start(
    *,
    page: FundraisingPage,
    form_token: str,
    email: str,
    amount_minor: int,
    display: str,
    donor_name: str = "",
    message: str = "",
    gift_aid_declaration=None,
    user=None,
) -> Order:
    """The order to pay for a gift through `page` (an approved page before its end date):
    one donation for its campaign, with the item reference `fundraising:<gift id>` and the
    page's sponsored flag. The same `form_token` sent again (a double click, a reload)
    returns the order made the first time. Moves no money, sends no email."""
    with transaction.atomic():
        existing = Gift.objects.filter(form_token=form_token).first()
        if existing is not None:
            return Order.objects.get(reference=existing.order_reference)
        page = for_update(FundraisingPage.objects.select_related("campaign").filter(pk=page.pk)).get()
        if not page.is_public or page.ends_on < timezone.localdate():
            raise ValidationError(_("This page is not taking gifts now."))
        if display not in Gift.Display.values:
            display = Gift.Display.ANONYMOUS
        donor_name = " ".join(donor_name.split())[:80]
        if display != Gift.Display.ANONYMOUS and not donor_name:
            raise ValidationError({"donor_name": _("Type your name, or choose to give anonymously.")})
        message = message.strip()[:500]
        gift = Gift.objects.create(
            page=page,
            form_token=form_token,
            amount_minor=amount_minor,
            currency=page.currency,
            display=display,
            donor_name="" if display == Gift.Display.ANONYMOUS else donor_name,
            message=message,
            message_status=Gift.MessageStatus.PENDING if message else Gift.MessageStatus.NONE,
        )
        order = payments_services.order_create(
            email=email,
            currency=page.currency,
            user=user,
            donation=payments_services.DonationChoice(
                amount_minor=amount_minor,
                campaign=page.campaign,
                anonymous=display == Gift.Display.ANONYMOUS,
                gift_aid_declaration=gift_aid_declaration,
                item_reference=gift.item_reference,
                sponsored_event=page.sponsored,
            ),
        )
        gift.order_reference = order.reference
        gift.save(update_fields=["order_reference"])
        audit_record(actor=user, action="fundraising.gift_started", obj=gift, page=page.pk)
    return order


def _gift_ids(donations) -> dict[int, int]:
    """{gift id: donation id} for the references that are ours."""
    found = {}
    for donation_id, reference in donations:
        number = reference.removeprefix(REFERENCE_PREFIX)
        if reference.startswith(REFERENCE_PREFIX) and number.isdigit():
            found[int(number)] = donation_id
    return found


def gifts_received(*, donations) -> None:
    """Payments recorded these donations (`(donation_id, item_reference)`): each of our
    gifts counts from now, and its fundraiser is emailed after commit. Idempotent."""
    from fundraising.tasks import gift_received_send  # noqa: PLC0415 - tasks import the emails

    for gift_id, donation_id in _gift_ids(donations).items():
        with transaction.atomic():
            gift = for_update(Gift.objects.select_related("page").filter(pk=gift_id), of=("self",)).first()
            if gift is None or gift.status != Gift.Status.STARTED:
                continue
            amount = gift.amount_minor
            from payments.models import Donation  # noqa: PLC0415

            recorded = Donation.objects.filter(pk=donation_id).values_list("amount_minor", "currency").first()
            if recorded is not None:
                amount, gift.currency = recorded
            gift.amount_minor = amount
            gift.donation_id = donation_id
            gift.status = Gift.Status.RECEIVED
            gift.received_at = timezone.now()
            gift.save(update_fields=["amount_minor", "currency", "donation", "status", "received_at"])
            audit_record(actor=None, action="fundraising.gift_received", obj=gift, page=gift.page_id)
            enqueue_on_commit(gift_received_send, gift_id=gift.pk)
            campaign_changed([gift.page.campaign_id])


def gifts_refunded(*, donations) -> None:
    """Payments marked these donations refunded: our gifts among them stop counting. Idempotent."""
    ids = list(_gift_ids(donations))
    for gift in Gift.objects.filter(pk__in=ids, status=Gift.Status.RECEIVED).select_related("page"):
        Gift.objects.filter(pk=gift.pk, status=Gift.Status.RECEIVED).update(status=Gift.Status.REFUNDED)
        audit_record(actor=None, action="fundraising.gift_refunded", obj=gift, page=gift.page_id)
        campaign_changed([gift.page.campaign_id])


@transaction.atomic
def message_review(*, gift: Gift, actor, approve: bool) -> Gift:
    """Show a donor's message on the page, or keep it off. Only a message waiting for
    moderation or already decided may be decided (again)."""
    gift = for_update(Gift.objects.filter(pk=gift.pk)).get()
    if not gift.message:
        raise ValidationError(_("This gift has no message."))
    status = Gift.MessageStatus.APPROVED if approve else Gift.MessageStatus.REJECTED
    if gift.message_status != status:
        gift.message_status = status
        gift.message_reviewed_by = actor
        gift.save(update_fields=["message_status", "message_reviewed_by"])
        audit_record(actor=actor, action=f"fundraising.message_{status}", obj=gift)
    return gift
