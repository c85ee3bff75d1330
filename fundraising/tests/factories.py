"""Builders for fundraising tests: a campaign, a page (approved or not), a team, a photo, a
gift paid through the real checkout on localstripe. Use these rather than rows inline."""

import datetime
import itertools
import uuid
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.models import Page

from accounts.tests.factories import UserFactory
from fundraising import services
from fundraising.models import FundraisingPage, Gift, Team
from payments.models import CampaignPage, Order
from payments.services import order_pay
from payments.tests.helpers import set_up_card

PAGE_NUMBERS = itertools.count(1)


def make_campaign(*, slug: str = "safe-homes", currency: str = "GBP", **fields) -> CampaignPage:
    found = CampaignPage.objects.filter(slug=slug).first()
    if found is not None:
        return found
    root = Page.get_first_root_node()
    home = root.get_children().first() or root
    values = {"title": "Safe homes", "target_minor": 100000, "suggested_amounts": "10, 25"} | fields
    return home.add_child(instance=CampaignPage(slug=slug, currency=currency, **values))


def make_page(*, owner=None, campaign=None, approved: bool = True, team=None, **fields) -> FundraisingPage:
    campaign = campaign or make_campaign()
    values = {
        "title": f"Walking for safe homes {next(PAGE_NUMBERS)}",  # distinct: the same form twice is one page
        "fundraiser_name": "Jo",
        "story": "I am walking 50 miles.",
        "target_minor": 50000,
        "ends_on": timezone.localdate() + datetime.timedelta(days=30),
        "sponsored": True,
    } | fields
    page = services.page_create(owner=owner or UserFactory(), campaign=campaign, team=team, **values)
    if approved:
        page = services.page_approve(page=page, actor=None)
    return page


def make_team(*, campaign=None, name: str = "Hill Walkers") -> Team:
    return Team.objects.create(campaign=campaign or make_campaign(), name=name)


def photo_upload(*, fmt: str = "JPEG", name: str = "me.jpg", size=(64, 48), exif_gps: bool = False):
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    out = BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {2: (51.0, 30.0, 0.0), 1: "N"}  # GPSInfo
        kwargs["exif"] = exif
    image.save(out, format=fmt, **kwargs)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


def noisy_png(side: int, name: str = "big.png"):
    """A real PNG of random pixels (it does not compress: about 3 bytes a pixel)."""
    import os

    from PIL import Image

    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def give(
    page,
    *,
    amount_minor: int = 2500,
    display=Gift.Display.FULL_NAME,
    donor_name: str = "Ada Lovelace",
    email: str = "ada@donor.example",
    message: str = "",
    declaration=None,
    token: str | None = None,
) -> Order:
    """Start a gift through `page` and pay it with a Visa card on localstripe."""
    order = services.gift_start(
        page=page,
        form_token=token or uuid.uuid4().hex,
        email=email,
        amount_minor=amount_minor,
        display=display,
        donor_name=donor_name,
        message=message,
        gift_aid_declaration=declaration,
    )
    outcome = order_pay(order=order, setup_intent_id=set_up_card(order))
    assert outcome.status == "succeeded", outcome
    order.refresh_from_db()
    return order
