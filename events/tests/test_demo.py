"""The demo events `make run` loads: what the issue asks them to show, and seeding twice."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import EventDate, EventPage, TicketType

pytestmark = pytest.mark.django_db


def test_the_demo_has_six_varied_events_and_a_second_seed_changes_nothing(demo_site):
    events = list(EventPage.objects.live().select_related("chapter"))
    assert len(events) == 6
    now = timezone.now()
    assert any(e.ends_at < now for e in events) and any(e.starts_at > now for e in events)
    assert any(e.online for e in events) and any(not e.online for e in events)
    assert [e.title for e in events if e.sensitive and e.audience == "survivors"] == ["Survivors' circle"]
    assert {e.chapter.slug for e in events} == {"uk", "us"}
    tickets = TicketType.objects.filter(event__in=events)
    assert tickets.filter(price_minor__gt=0, pay_what_you_can=False, funded=False).exists()
    assert tickets.filter(pay_what_you_can=True).exists()
    assert tickets.filter(price_minor=0, pay_what_you_can=False).exists()
    repeating = [e for e in events if e.extra_dates.exists()]
    assert len(repeating) == 1 and repeating[0].extra_dates.count() == 3

    counts = (EventPage.objects.count(), TicketType.objects.count(), EventDate.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (EventPage.objects.count(), TicketType.objects.count(), EventDate.objects.count()) == counts


def test_the_demo_index_and_feed_show_the_events(client, demo_site):
    body = client.get("/events/").content.decode()
    assert "Speaking up: a four-week workshop" in body and "also on 3 more dates" in body
    assert "Spring conference" not in body
    assert "Spring conference" in client.get("/events/?when=past").content.decode()
    feed = client.get("/events/feed.ics?chapter=us").content.decode()
    assert "Speaking up" in feed and "RDATE;TZID=America/New_York:" in feed
    feed = client.get("/events/feed.ics").content.decode()
    assert "Community Hall" in feed and "Mill Lane" not in feed  # public venues listed, the sensitive one never


def test_demo_events_with_co_hosts_show_them_on_their_page(client, demo_site):
    gathering = EventPage.objects.get(slug="survivor-leadership-gathering")
    assert sorted(gathering.partners.values_list("name", flat=True)) == ["Freedom Routes", "Safe Harbour Trust"]
    page = client.get(gathering.url).content.decode()
    assert "Hosted with" in page and "Safe Harbour Trust" in page and "Freedom Routes" in page


def test_the_demo_partner_has_ten_codes_for_the_suppers_hidden_funded_places(client, demo_site):
    from accounts.demo import DEMO_PARTNER_EMAIL
    from accounts.models import User
    from events.models import AccessCode
    from events.selectors import partner_allocations

    contact = User.objects.get(email=DEMO_PARTNER_EMAIL).partner_contact
    [row] = partner_allocations(contact.organisation)
    assert row["event_title"] == "Fundraising supper" and row["places"] == 10 and row["used"] == 0
    assert row["ticket_type_name"] == "Funded place (partner code)"
    supper = EventPage.objects.get(slug="fundraising-supper")
    assert "Funded place (partner code)" not in client.get(supper.url).content.decode()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AccessCode.objects.count() == 10
