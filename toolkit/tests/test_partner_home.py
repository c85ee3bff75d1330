"""The partner home (issue 19): a partner contact sees their organisation's co-hosted events and
courses with counts (booked, checked in, places left), never who; others get 404 or sign-in.
Courses show their co-hosts like events."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import PartnerContact
from accounts.tests.factories import PartnerContactFactory, UserFactory
from events.models import Registration
from events.tests.factories import RegistrationFactory, make_event
from training.models import Enrolment
from training.tests.factories import enrol, make_cohort, make_course, make_learner

pytestmark = pytest.mark.django_db


def _publish(page):
    page.save_revision().publish()


@pytest.fixture
def partner_world():
    contact = PartnerContactFactory(user=UserFactory())
    organisation = contact.organisation
    soon = make_event(title="Soon together", capacity=10, starts_at=timezone.now() + timedelta(days=3))
    later = make_event(title="Later together", capacity=5, starts_at=timezone.now() + timedelta(days=30))
    past = make_event(
        title="Last month together",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=2),
    )
    other = make_event(title="Somebody else's event")
    for event in (soon, later, past):
        event.partners.add(organisation)
        _publish(event)
    RegistrationFactory(event=soon, attendee_name="Ana Secretname", email="ana.secret@example.org")
    RegistrationFactory(event=soon, status=Registration.Status.CHECKED_IN, attendee_name="Bo Hidden")
    RegistrationFactory(event=soon, status=Registration.Status.CANCELLED)
    RegistrationFactory(event=other)
    course = make_course(title="Co-hosted course", modules=1)
    course.partners.add(organisation)
    _publish(course)
    cohort = make_cohort(course, capacity=8, name="Autumn run")
    learner = make_learner(display_name="Cai Private")
    enrol(learner, cohort)
    enrol(make_learner(), cohort, status=Enrolment.Status.COMPLETED)
    return {"contact": contact, "soon": soon, "later": later, "past": past, "other": other, "course": course}


def test_the_partner_home_lists_co_hosted_events_upcoming_first_with_counts_and_no_names(client, partner_world):
    client.force_login(partner_world["contact"].user)
    response = client.get(reverse("toolkit:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert partner_world["contact"].organisation.name in html
    assert html.index("Soon together") < html.index("Later together") < html.index("Last month together")
    assert "Somebody else" not in html
    soon = next(row for row in response.context["events"]["upcoming"] if row["page"].pk == partner_world["soon"].pk)
    assert (soon["booked"], soon["checked_in"], soon["places_left"]) == (2, 1, 8)
    later = next(row for row in response.context["events"]["upcoming"] if row["page"].pk == partner_world["later"].pk)
    assert (later["booked"], later["checked_in"], later["places_left"]) == (0, 0, 5)
    cohort = response.context["courses"][0]["cohorts"][0]
    assert (cohort["enrolled"], cohort["completed"], cohort["places_left"]) == (2, 1, 6)
    for secret in ("Ana Secretname", "ana.secret@example.org", "Bo Hidden", "Cai Private", "attendee"):
        assert secret not in html
    # Referrals and the posters of what they co-host, and the membership invitation.
    assert reverse("partners:referrals") in html
    assert reverse("toolkit:poster", args=["event", partner_world["soon"].pk, "poster", "standard"]) in html
    assert reverse("toolkit:poster", args=["course", partner_world["course"].pk, "leaflet", "discreet"]) in html
    assert reverse("toolkit:poster", args=["membership", 0, "poster", "standard"]) in html
    assert "Access codes" in html


def test_only_a_partner_contact_reaches_the_partner_home(client, partner_world):
    response = client.get(reverse("toolkit:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(reverse("toolkit:home")).status_code == 404
    other = PartnerContactFactory(user=UserFactory())
    client.force_login(other.user)
    html = client.get(reverse("toolkit:home")).content.decode()
    assert "Soon together" not in html and "Co-hosted course" not in html


def test_a_partner_contact_finds_the_partner_home_from_the_menu_and_my_account(client, partner_world):
    client.force_login(partner_world["contact"].user)
    assert reverse("toolkit:home") in client.get(reverse("accounts:home")).content.decode()
    member = UserFactory()
    client.force_login(member)
    assert reverse("toolkit:home") not in client.get(reverse("accounts:home")).content.decode()


def test_a_course_page_shows_its_co_hosts(client, partner_world):
    course = partner_world["course"]
    html = client.get(course.url).content.decode()
    assert "Hosted with" in html
    assert partner_world["contact"].organisation.name in html
    assert "Hosted with" not in client.get(make_course(title="Alone", modules=1).url).content.decode()


def test_the_access_codes_section_shows_n_of_m_used_and_the_csv_link_never_who(client, partner_world):
    from events import services
    from events.models import AccessCode
    from events.tests.factories import make_event as _make_event

    organisation = partner_world["contact"].organisation
    event = _make_event(
        title="Supper with codes",
        tickets=[
            {"name": "Standard", "quantity": 10, "price_minor": 2000},
            {"name": "Funded place", "quantity": 10, "funded": True, "hidden": True},
        ],
    )
    block = services.access_code_block_create(
        event=event,
        partner=organisation,
        ticket_type=event.ticket_types.get(hidden=True),
        places=10,
        expires_at=event.starts_at - timedelta(days=1),
        actor=UserFactory(),
    )
    code = AccessCode.objects.filter(block=block).first().code
    services.booking_with_code(
        event=event, code=code, email="dana.unseen@example.org", user=None, attendee_name="Dana Unseen"
    )
    client.force_login(partner_world["contact"].user)
    html = client.get(reverse("toolkit:home")).content.decode()
    assert "1 of 10 used" in html
    assert reverse("events:access_codes_csv_partner", args=[block.pk]) in html
    assert "Dana Unseen" not in html and "dana.unseen@example.org" not in html and code not in html
    # Another partner's contact sees none of it.
    client.force_login(PartnerContactFactory(user=UserFactory()).user)
    assert "Supper with codes" not in client.get(reverse("toolkit:home")).content.decode()


@pytest.mark.django_db
def test_the_partner_home_gives_the_code_to_embed_the_listing_and_its_registered_sites(client, demo_site):
    from cms.models import PartnerOrganisation

    contact = PartnerContact.objects.select_related("organisation", "user").get(user__email="partner@thrive.example")
    organisation = contact.organisation
    client.force_login(contact.user, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get("/partners/").content.decode()
    section = html[html.index('id="embed-heading"') :]
    section = section[: section.index("</section>")]
    assert f"/embed/{organisation.embed_key}/" in section and "&lt;iframe src=" in section
    for origin in organisation.embed_origins.split():
        assert origin in section
    PartnerOrganisation.objects.filter(pk=organisation.pk).update(embed_origins="")
    html = client.get("/partners/").content.decode()
    assert "No website is registered for your organisation yet" in html
