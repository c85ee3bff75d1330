"""Demo giving pages for `manage.py seed_demo` (a `thrive_seed_demo` hook): a Donate page
and one campaign with a target. Idempotent: a page whose slug exists is left as it is."""

import json

from wagtail.models import Page

from cms.models import HomePage
from payments.models import CampaignPage, DonatePage


def _story(*paragraphs: str) -> str:
    return json.dumps([{"type": "paragraph", "value": "".join(f"<p>{p}</p>" for p in paragraphs)}])


def _retire_placeholder(home: HomePage) -> None:
    """cms's demo has a plain "Donate" page saying online giving is not available yet; with
    payments installed it is not true, so it moves aside (unpublished) for the real one.
    Queryset writes, as cms's seed does: no index tasks for a page about to change."""
    placeholder = home.get_children().filter(slug="donate").exclude(content_type__model="donatepage").first()
    if placeholder is not None:
        Page.objects.filter(pk=placeholder.pk).update(
            slug="donate-offline", url_path=f"{home.url_path}donate-offline/", live=False, show_in_menus=False
        )


def seed_giving(*, password: str) -> None:
    del password
    home = HomePage.objects.first()
    _retire_placeholder(home)
    existing = set(home.get_children().values_list("slug", flat=True))
    pages = [
        DonatePage(
            title="Donate",
            slug="donate",
            intro="<p>Every gift helps survivors lead: training, gatherings and funded places.</p>",
            suggested_amounts="10, 25, 50",
        ),
        CampaignPage(
            title="Fund a survivor's place",
            slug="fund-a-place",
            summary="Help us fund 40 places for survivors on courses and at gatherings this year.",
            story=_story(
                "Many survivors cannot pay for travel, childcare or a course fee.",
                "Your gift pays for a funded place: the person who takes it is never named to donors.",
            ),
            target_minor=500000,
            suggested_amounts="15, 30, 60",
            show_in_menus=True,  # visitors find it from the menu (and the donate and home pages)
        ),
    ]
    for page in pages:
        if page.slug in existing:
            continue
        home.add_child(instance=page)
        page.save_revision().publish()
    donate = DonatePage.objects.filter(slug="donate").first()
    home = HomePage.objects.get(pk=home.pk)
    if donate is not None and home.donate_page_id != donate.pk:
        home.donate_page = donate
        home.save_revision().publish()
