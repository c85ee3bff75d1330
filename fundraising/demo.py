"""Demo supporter fundraising for `manage.py seed_demo` (a `thrive_seed_demo` hook, run after
payments', whose campaign it needs). Idempotent: each row is looked up by a stable key.

- Sam (sam@supporter.example), a supporter with no membership, runs the "Thames Path 10k for
  funded places", a sponsored challenge for the demo campaign ("Fund a survivor's place"),
  approved by the demo Communications officer, in the team "Riverside Runners".
- Two gifts already counted on it (no checkout: rows as payments would have recorded them
  after a paid order), one shown by first name with an approved message, one anonymous.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_COMMUNICATIONS_EMAIL, demo_user
from accounts.models import User
from fundraising.models import FundraisingPage, Gift, Team
from payments.models import CampaignPage, Donation, Order, OrderLine
from payments.selectors import campaign_totals_forget

DEMO_SUPPORTER_EMAIL = "sam@supporter.example"
DEMO_PAGE_TITLE = "Thames Path 10k for funded places"
DEMO_TEAM_NAME = "Riverside Runners"
DEMO_GIFTS = [  # (amount in pence, display, name, message)
    (2500, Gift.Display.FIRST_NAME, "Alex Morgan", "Go Sam! Proud of you."),
    (1000, Gift.Display.ANONYMOUS, "", ""),
]


def seed_fundraising(*, password: str) -> None:
    campaign = CampaignPage.objects.filter(slug="fund-a-place").first()
    if campaign is None or FundraisingPage.objects.filter(title=DEMO_PAGE_TITLE).exists():
        return
    supporter = demo_user(DEMO_SUPPORTER_EMAIL, password, first_name="Sam", last_name="Supporter")
    reviewer = User.objects.filter(email=DEMO_COMMUNICATIONS_EMAIL).first()
    team, _created = Team.objects.get_or_create(
        campaign=campaign, name=DEMO_TEAM_NAME, defaults={"created_by": supporter}
    )
    now = timezone.now()
    page = FundraisingPage.objects.create(
        owner=supporter,
        campaign=campaign,
        team=team,
        title=DEMO_PAGE_TITLE,
        fundraiser_name="Sam",
        story=(
            "I am running 10 km along the Thames Path in spring.\n\n"
            "Every £60 pays for a survivor's funded place on a course. Please sponsor me!"
        ),
        currency=campaign.currency,
        target_minor=50000,
        ends_on=timezone.localdate() + timedelta(days=90),
        sponsored=True,
        status=FundraisingPage.Status.APPROVED,
        reviewed_by=reviewer,
        reviewed_at=now,
    )
    for amount, display, name, message in DEMO_GIFTS:
        _demo_gift(page, amount=amount, display=display, name=name, message=message, reviewer=reviewer, now=now)
    transaction.on_commit(lambda: campaign_totals_forget(campaign.pk))


def _demo_gift(page, *, amount, display, name, message, reviewer, now) -> None:
    gift = Gift.objects.create(
        page=page,
        amount_minor=amount,
        currency=page.currency,
        display=display,
        donor_name=name,
        message=message,
        message_status=Gift.MessageStatus.APPROVED if message else Gift.MessageStatus.NONE,
        message_reviewed_by=reviewer if message else None,
    )
    order = Order.objects.create(
        email=f"demo-donor-{gift.pk}@supporter.example",
        currency=page.currency,
        total_minor=amount,
        status=Order.Status.PAID,
        paid_at=now,
    )
    line = OrderLine.objects.create(
        order=order,
        kind=OrderLine.Kind.DONATION,
        item_reference=gift.item_reference,
        amount_minor=amount,
        description=f"Donation: {page.campaign.title}"[:200],
        campaign=page.campaign,
        anonymous=display == Gift.Display.ANONYMOUS,
        sponsored_event=True,
    )
    donation = Donation.objects.create(
        order_line=line,
        amount_minor=amount,
        currency=page.currency,
        email=order.email,
        campaign=page.campaign,
        anonymous=line.anonymous,
        sponsored_event=True,
        donated_at=now,
    )
    gift.order_reference = order.reference
    gift.donation = donation
    gift.status = Gift.Status.RECEIVED
    gift.received_at = now
    gift.fundraiser_told_at = now
    gift.save()
