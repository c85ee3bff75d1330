"""A campaign's page (payments' CampaignPage) shows supporter fundraising through
CAMPAIGN_SECTIONS_HOOK: "Fundraise for <campaign>" while the campaign takes pages, and its
approved pages (title, the name the fundraiser chose, what it raised); never a page waiting
for approval or hidden. Anything that changes the list retires stored copies of the page
(core.page_cache), after commit."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.page_cache import _dependency_key
from fundraising.campaign import LISTED, campaign_key
from fundraising.models import FundraisingPage, Gift
from fundraising.services import gifts_received, page_approve, page_hide, page_update
from fundraising.tests.factories import make_page
from payments.models import CampaignPage

pytestmark = pytest.mark.django_db

DEMO_PAGE = "Thames Path 10k for funded places"


def _campaign() -> CampaignPage:
    return CampaignPage.objects.get(slug="fund-a-place")


def _section(client) -> str:
    html = client.get("/fund-a-place/").content.decode()
    start = html.index("campaign-section--fundraising")
    return html[start : html.index("</section>", start)]


def _version(campaign) -> int:
    return cache.get(_dependency_key(campaign_key(campaign.pk)), 1)


def test_the_campaign_page_offers_to_fundraise_and_lists_its_approved_pages(client, demo_site):
    campaign = _campaign()
    section = _section(client)
    assert f'href="/fundraising/new/{campaign.pk}/"' in section
    assert "Fundraise for Fund a survivor&#x27;s place" in section
    demo = FundraisingPage.objects.get(title=DEMO_PAGE)
    assert f'<a href="/fundraising/{demo.pk}/">{DEMO_PAGE}</a>' in section
    raised = sum(demo.gifts.filter(status=Gift.Status.RECEIVED).values_list("amount_minor", flat=True))
    assert raised > 0
    assert f"{demo.fundraiser_name} · £{raised / 100:,.2f} raised" in section
    assert "See all" not in section


def test_a_page_waiting_or_hidden_never_appears_and_approving_or_hiding_shows_at_once(client, demo_site):
    campaign = _campaign()
    waiting = make_page(campaign=campaign, approved=False, title="Waiting swim")
    hidden = make_page(campaign=campaign, title="Hidden cycle")
    page_hide(page=hidden, actor=None, note="Names a survivor")
    section = _section(client)
    assert "Waiting swim" not in section and "Hidden cycle" not in section

    page_approve(page=waiting, actor=None)
    assert "Waiting swim" in _section(client)
    page_hide(page=waiting, actor=None)
    assert "Waiting swim" not in _section(client)


def test_an_approved_page_sent_back_for_approval_by_its_owner_leaves_the_list(client, demo_site):
    page = make_page(campaign=_campaign(), title="Run for homes")
    assert "Run for homes" in _section(client)
    page_update(page=page, actor=page.owner, title="Run for safe homes")
    section = _section(client)
    assert "Run for homes" not in section and "Run for safe homes" not in section


def test_more_than_six_pages_show_six_and_a_link_to_all_of_the_campaigns_pages(client, demo_site):
    campaign = _campaign()
    for number in range(LISTED):
        make_page(campaign=campaign, title=f"Bake sale {number}")
    section = _section(client)
    assert section.count('<li class="card">') == LISTED
    assert f'href="/fundraising/?campaign={campaign.pk}#supporters-pages"' in section
    every = client.get(f"/fundraising/?campaign={campaign.pk}").content.decode()
    assert "Supporters’ pages for Fund a survivor" in every
    assert all(f"Bake sale {number}" in every for number in range(LISTED)) and DEMO_PAGE in every


def test_an_ended_campaign_offers_no_new_page(client, demo_site):
    campaign = _campaign()
    campaign.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    campaign.save_revision().publish()
    section = _section(client)
    assert "/fundraising/new/" not in section and "Fundraise for" not in section
    assert DEMO_PAGE in section  # the pages still taking gifts are still listed


def test_the_section_costs_the_same_queries_for_one_page_or_many(client, demo_site):
    client.get("/fund-a-place/")  # warm what is cached once (menus, settings)
    with CaptureQueriesContext(connection) as few:
        client.get("/fund-a-place/")
    for number in range(4):
        make_page(campaign=_campaign(), title=f"Quiz night {number}")
    with CaptureQueriesContext(connection) as many:
        client.get("/fund-a-place/")
    assert len(many) == len(few)


def test_the_campaign_page_depends_on_the_key_each_change_bumps_after_commit(
    client, demo_site, django_capture_on_commit_callbacks
):
    campaign = _campaign()
    response = client.get("/fund-a-place/")
    assert campaign_key(campaign.pk) in response.wsgi_request.page_cache_keys
    page = make_page(campaign=campaign, approved=False)

    before = _version(campaign)
    page_approve(page=page, actor=None)
    assert _version(campaign) == before  # not before the commit
    with django_capture_on_commit_callbacks(execute=True):
        page_hide(page=FundraisingPage.objects.get(pk=page.pk), actor=None)
    assert _version(campaign) > before

    shown = make_page(campaign=campaign)
    gift = Gift.objects.create(page=shown, amount_minor=500, currency="GBP")
    before = _version(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        gifts_received(donations=[(None, gift.item_reference)])
    assert _version(campaign) > before
    assert f"{shown.fundraiser_name} · £5.00 raised" in _section(client)

    before = _version(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        page_approve(page=FundraisingPage.objects.get(pk=shown.pk), actor=None)  # already approved: no change
    assert _version(campaign) == before


def test_the_preview_of_a_campaign_not_yet_saved_has_no_section(rf):
    from fundraising.campaign import campaign_section

    assert campaign_section(campaign=CampaignPage(title="New campaign"), request=rf.get("/")) is None
