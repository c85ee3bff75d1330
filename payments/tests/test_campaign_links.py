"""The campaign page is found without typing its address: from the menu (demo content), the
donate page and the home page; an ended campaign is no longer offered."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import CampaignPage

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    return html[html.index('<nav class="site-nav"') : html.index("</nav>")]


def test_the_demo_campaign_is_in_the_menu_and_linked_from_the_donate_and_home_pages(client, demo_site):
    home = client.get("/").content.decode()
    assert 'href="/fund-a-place/"' in _nav(home)
    campaigns = home[home.index(">Campaigns</h2>") :]
    assert re.search(
        r'<a href="/fund-a-place/">Fund a survivor(&#x27;|\')s place</a><p>Target £5,000.00</p>', campaigns
    )
    donate = client.get("/donate/").content.decode()
    offer = donate[
        donate.index("Or give to a campaign") : donate.index("</section>", donate.index("Or give to a campaign"))
    ]
    assert 'href="/fund-a-place/"' in offer and "Target £5,000.00" in offer
    assert client.get("/fund-a-place/").status_code == 200


def test_an_ended_campaign_is_no_longer_offered_on_the_donate_or_home_page(client, demo_site):
    campaign = CampaignPage.objects.get(slug="fund-a-place")
    campaign.ends_on = timezone.localdate() - timedelta(days=1)
    campaign.save_revision().publish()
    assert "Or give to a campaign" not in client.get("/donate/").content.decode()
    assert ">Campaigns</h2>" not in client.get("/").content.decode()
