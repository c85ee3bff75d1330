"""The demo (`make run`): Sam's approved sponsored page in the team Riverside Runners, for the
demo campaign, with two gifts counted on the page, the team and the campaign."""

import pytest
from django.core.management import call_command

from fundraising.demo import DEMO_PAGE_TITLE
from fundraising.models import FundraisingPage, Gift
from fundraising.selectors import campaign_totals_shown, page_totals, team_totals

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_approved_page_in_a_team_whose_gifts_the_campaign_counts_too(client, demo_site):
    page = FundraisingPage.objects.get(title=DEMO_PAGE_TITLE)
    assert (page.status, page.team.name, page.sponsored) == ("approved", "Riverside Runners", True)
    assert page_totals(page)["raised_minor"] == team_totals(page.team)["raised_minor"] == 3500
    assert campaign_totals_shown(page.campaign)["raised_minor"] >= 3500
    assert client.get(f"/fundraising/{page.pk}/").status_code == 200
    assert "Go Sam! Proud of you." in client.get(f"/fundraising/{page.pk}/").content.decode()


def test_seeding_the_demo_again_adds_no_fundraising_rows(demo_site):
    before = (FundraisingPage.objects.count(), Gift.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (FundraisingPage.objects.count(), Gift.objects.count()) == before
