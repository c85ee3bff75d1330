"""`manage.py seed_scale`: a large network added in bulk on top of the demo content, with a
page tree treebeard finds sound, realistic spread, and a clear refusal to run twice."""

import io
import statistics
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from wagtail.models import Page

from accounts.models import ConsentEvent, MemberProfile, MembershipApplication, User
from core.seeding import SCALE_EMAIL_DOMAIN
from events.models import EventIndexPage, EventPage, Registration
from payments.models import Donation, Order, OrderLine, Payment
from training.models import Cohort, CoursePage, Enrolment, SessionAttendance

SIZES = {"members": 300, "events": 30, "registrations": 400, "donations": 600}


def seed_scale(**options) -> str:
    out = io.StringIO()
    call_command("seed_scale", stdout=out, **(SIZES | options))
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo content and a small network, made once for this module inside a transaction
    rolled back after it (seeding takes longer than every test here together); each test
    runs in a savepoint of its own within it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield seed_scale()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def scale_users():
    return User.objects.filter(email__endswith=f"@{SCALE_EMAIL_DOMAIN}")


@pytest.mark.django_db
def test_seeded_pages_leave_a_tree_treebeard_finds_sound_and_they_are_served(seeded, client):
    assert all(problems == [] for problems in Page.find_problems())
    index = EventIndexPage.objects.get()
    assert index.numchild == index.get_children().count() == 6 + SIZES["events"]
    event = EventPage.objects.order_by("-pk").first()
    course = CoursePage.objects.order_by("-pk").first()
    for page in (event, course, course.get_children().first()):
        assert client.get(page.url).status_code == 200, page.url
    assert client.get("/events/?when=past").status_code == 200


@pytest.mark.django_db
def test_seed_scale_makes_the_sizes_asked_for_and_prints_each_table(seeded):
    assert MemberProfile.objects.filter(user__email__endswith=f"@{SCALE_EMAIL_DOMAIN}").count() == SIZES["members"]
    assert EventPage.objects.filter(slug__startswith="event-").count() == SIZES["events"]
    assert Registration.objects.filter(event__slug__startswith="event-").count() == SIZES["registrations"]
    # (The demo's own gifts, through a supporter's fundraising page, are not the scale's.)
    assert Donation.objects.filter(email__endswith=f"@{SCALE_EMAIL_DOMAIN}").count() == SIZES["donations"]
    for table in ("accounts_user", "events_registration", "payments_donation (once)", "training_enrolment"):
        assert f"  {table} " in seeded


@pytest.mark.django_db
def test_a_second_run_is_refused_unless_asked_to_add_another_network(seeded):
    members = scale_users().count()
    with pytest.raises(CommandError, match="already here"):
        seed_scale()
    assert scale_users().count() == members
    seed_scale(add=True, members=50, events=5, registrations=20, donations=30)
    assert scale_users().count() > members + 50  # the members and the second run's trainers
    assert all(problems == [] for problems in Page.find_problems())


@pytest.mark.django_db
def test_the_network_is_spread_as_a_real_one_is(seeded):
    chapters = Counter(MemberProfile.objects.values_list("chapter__slug", flat=True))
    assert len([slug for slug in chapters if slug]) >= 5
    consenting = MemberProfile.objects.filter(consent_show_name_on_verification=True).count()
    assert 0 < consenting < SIZES["members"]
    assert ConsentEvent.objects.filter(consent="show_name_on_verification", given=True).count() >= consenting
    assert set(MembershipApplication.objects.values_list("status", flat=True)) == set(MembershipApplication.Status)
    assert {"GBP", "USD"} <= set(Donation.objects.values_list("currency", flat=True))
    assert {"GBP", "USD"} <= set(Order.objects.values_list("currency", flat=True))
    assert Donation.objects.filter(recurring_gift__isnull=False).exists()
    assert Donation.objects.filter(gift_aid_declaration__isnull=False).exists()
    per_event = list(
        EventPage.objects.filter(slug__startswith="event-")
        .annotate(n=Count("registrations"))
        .values_list("n", flat=True)
    )
    assert max(per_event) >= 5 * statistics.median(per_event)  # a few events have many
    assert len(set(Enrolment.objects.values_list("status", flat=True))) >= 3
    assert SessionAttendance.objects.exists() and Cohort.objects.count() > 3


@pytest.mark.django_db
def test_every_ticket_paid_online_has_its_paid_order_line_and_payment(seeded):
    paid = Registration.objects.filter(paid_at__isnull=False)
    assert paid.exists()
    lines = {line.item_reference: line for line in OrderLine.objects.filter(kind="ticket").select_related("order")}
    for registration in paid:
        line = lines[f"registration:{registration.pk}"]
        assert line.amount_minor == registration.amount_minor == line.order.total_minor
        assert line.order.currency == registration.event.currency
        assert Payment.objects.get(order=line.order).amount_minor == registration.amount_minor


@pytest.mark.django_db
def test_no_event_has_more_places_held_than_it_has(seeded):
    for event in EventPage.objects.filter(slug__startswith="event-").annotate(n=Count("registrations")):
        assert event.n <= event.capacity
        assert event.n <= sum(ticket_type.quantity for ticket_type in event.ticket_types.all())
