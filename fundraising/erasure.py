"""A person's erasure, as supporter fundraising applies it (the personal-data contract,
core/hooks.py).

Found by account: the pages they made as a fundraiser (and the teams they started); by
account or by the address they gave: the gifts they made through others' pages (through the
payments order or donation that names the address or the account). At erasure:
- their pages lose their title, story, name shown and photo (the file is deleted once the
  erasure has committed), and are hidden (404 to everyone but staff); the target, dates and
  gifts stay, so the campaign's, the team's and the page's totals still add up;
- a team they started keeps its name (others are in it; it is the team's, not theirs) and
  forgets who started it (the account link is emptied by the foreign key);
- their gifts lose the name and the message and are shown as anonymous; the amount, status
  and dates stay (payments keeps the money's record).
No email is sent.
"""

from django.db import transaction
from django.db.models import Q

from core.locking import for_update
from core.personal_data import Member, PersonalData, Rows
from fundraising.campaign import campaign_changed
from fundraising.models import FundraisingPage, Gift, Team
from payments.models import Order

ERASED_TITLE = "Fundraising page"


def _pks(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def fundraising_member_rows(member: Member, found: Rows) -> Rows:
    orders = Order.objects.filter(user_id=member.user_id)
    donations = Q(donation__order_line__order__user_id=member.user_id)
    if member.email:
        orders = Order.objects.filter(Q(user_id=member.user_id) | Q(email__iexact=member.email))
        donations |= Q(donation__email__iexact=member.email)
    references = orders.values_list("reference", flat=True)
    return {
        FundraisingPage._meta.label: _pks(FundraisingPage.objects.filter(owner_id=member.user_id)),
        Team._meta.label: _pks(Team.objects.filter(created_by_id=member.user_id)),
        Gift._meta.label: _pks(Gift.objects.filter(donations | Q(order_reference__in=references))),
    }


def _rows(model, found: Rows):
    return model.objects.filter(pk__in=found.get(model._meta.label, ()))


def fundraising_erase_member(member: Member, found: Rows) -> None:
    pages = _rows(FundraisingPage, found)
    photos = list(for_update(pages).exclude(photo="").values_list("photo", flat=True))
    campaign_changed(pages.values_list("campaign_id", flat=True))  # off their campaigns' pages
    pages.update(
        title=ERASED_TITLE, story="", fundraiser_name="", photo="", staff_note="", status=FundraisingPage.Status.HIDDEN
    )
    if photos:
        storage = FundraisingPage._meta.get_field("photo").storage
        transaction.on_commit(lambda names=tuple(photos): [storage.delete(name) for name in names])
    gifts = _rows(Gift, found)
    list(for_update(gifts))
    gifts.update(donor_name="", message="", display=Gift.Display.ANONYMOUS)
    gifts.exclude(message_status="").update(message_status=Gift.MessageStatus.REJECTED)


PERSONAL_DATA = PersonalData(
    personal={
        "fundraising.FundraisingPage": ("title", "fundraiser_name", "story", "staff_note"),
        "fundraising.Gift": ("donor_name", "message"),
    },
    not_personal={
        "fundraising.Team": "a team's public name, shared by its members (kept at a member's erasure)",
        "fundraising.FundraisingPage.currency": "a currency code",
        "fundraising.FundraisingPage.status": "a status",
        "fundraising.FundraisingPage.photo": "a random file name (the file is deleted and the name emptied at erasure)",
        "fundraising.Gift.form_token": "a random token against double sending",
        "fundraising.Gift.order_reference": "a payments order's random reference",
        "fundraising.Gift.status": "a status",
        "fundraising.Gift.currency": "a currency code",
        "fundraising.Gift.display": "a choice (full name, first name, anonymous)",
        "fundraising.Gift.message_status": "a status",
    },
    tasks={
        "fundraising.tasks.gift_received_send": {"gift_id": "fundraising.Gift"},
        "fundraising.tasks.page_review_send": {"page_id": "fundraising.FundraisingPage"},
    },
    rows=fundraising_member_rows,
    erase=fundraising_erase_member,
    acting_staff=(
        "fundraising.FundraisingPage.reviewed_by",
        "fundraising.Gift.message_reviewed_by",
    ),
)
