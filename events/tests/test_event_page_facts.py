"""What the event page and the booking page say: co-hosts (name, logo, website), one true
number of places left, and cancelling or leaving asks first (never one click, never styled as
the page's main action)."""

import io
import re

import pytest
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from cms.models import PartnerOrganisation
from events import links
from events.models import Registration
from events.tests.factories import RegistrationFactory, make_event

pytestmark = pytest.mark.django_db


def published(event):
    event.save_revision().publish()
    return event


def logo(name: str):
    data = io.BytesIO()
    PILImage.new("RGB", (200, 100), "purple").save(data, "PNG")
    return get_image_model().objects.create(title=name, file=ImageFile(data, name=f"{name}.png"))


def test_an_events_co_hosts_are_shown_with_their_logo_and_a_link_to_their_website(client):
    riverside = PartnerOrganisation.objects.create(
        name="Riverside Refuge", website="https://riverside.example.org/", logo=logo("riverside")
    )
    harbour = PartnerOrganisation.objects.create(name="Harbour Advice Centre")
    event = make_event()
    event.partners.set([riverside, harbour])
    page = client.get(published(event).url).content.decode()
    hosted = page[page.index('id="co-hosts-heading"') :]
    hosted = hosted[: hosted.index("</section>")]
    assert '<a href="https://riverside.example.org/" rel="noopener">Riverside Refuge</a>' in hosted
    assert re.search(r'<img [^>]*alt=""[^>]*class="co-host-logo"', hosted) or re.search(
        r'<img [^>]*class="co-host-logo"[^>]*alt=""', hosted
    )
    assert "Harbour Advice Centre" in hosted  # no website, no logo: the name alone


def test_an_event_without_co_hosts_has_no_co_host_section(client):
    assert "co-hosts-heading" not in client.get(published(make_event()).url).content.decode()


def test_the_event_page_and_the_booking_page_say_the_same_number_of_places(client):
    """40 places in all, but the only ticket type on sale has 30: both pages say 30."""
    later = timezone.now() + timezone.timedelta(days=3)
    event = make_event(
        capacity=40,
        tickets=[{"name": "Standard", "quantity": 30}, {"name": "Late release", "quantity": 10, "sales_start": later}],
    )
    RegistrationFactory(event=event)
    page = client.get(published(event).url).content.decode()
    booking = client.get(f"/events/{event.pk}/book/").content.decode()
    assert "29 places left." in page and "39 places left" not in page
    assert "Standard: free, 29 places left" in page and "Standard: free, 29 places left" in booking
    assert "Late release: free, not on sale now" in page


def test_places_left_never_exceed_what_is_left_of_the_capacity(client):
    event = make_event(capacity=5, tickets=[{"name": "A", "quantity": 5}, {"name": "B", "quantity": 5}])
    page = client.get(published(event).url).content.decode()
    assert "5 places left." in page and "10 places left" not in page


def test_cancel_my_booking_is_a_link_to_a_question_not_a_one_click_button(client):
    registration = RegistrationFactory(event=make_event())
    page = client.get(links.ticket_path(registration)).content.decode()
    cancel = re.search(r'<a class="([^"]+)" href="([^"]+)">Cancel my booking</a>', page)
    assert cancel and "button--primary" not in cancel.group(1) and "button--secondary" in cancel.group(1)
    question = client.get(cancel.group(2)).content.decode()
    assert "Cancel your booking?" in question and "Yes, cancel my booking" in question
    assert 'class="button button--secondary" type="submit">Yes, cancel my booking' in question
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED


def test_a_cancel_post_without_the_confirmation_cancels_nothing(client):
    registration = RegistrationFactory(event=make_event())
    response = client.post(links.ticket_path(registration, "events:ticket_cancel"))
    assert response.status_code == 200 and "Cancel your booking?" in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED
    response = client.post(links.ticket_path(registration, "events:ticket_cancel"), {"confirm": "yes"})
    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CANCELLED


def test_leave_this_course_run_asks_first_and_a_post_without_the_confirmation_changes_nothing(client):
    from training.models import Enrolment
    from training.tests.factories import enrol, make_cohort, make_course, make_learner

    learner = make_learner()
    enrolment = enrol(learner, make_cohort(make_course(), sessions=1))
    client.force_login(learner)
    dashboard = client.get("/learning/").content.decode()
    leave = re.search(r'<a class="([^"]+)" href="([^"]+)">Leave this course run</a>', dashboard)
    assert leave and "button--secondary" in leave.group(1) and "button--primary" not in leave.group(1)
    question = client.get(leave.group(2)).content.decode()
    assert "Leave this course run?" in question and "Yes, leave this course run" in question
    assert client.post(leave.group(2)).status_code == 200
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.ENROLLED
    assert client.post(leave.group(2), {"confirm": "yes"}).status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.WITHDRAWN


def test_a_cached_event_page_says_the_new_number_of_places_as_soon_as_a_place_is_booked(
    client, settings, django_capture_on_commit_callbacks
):
    from events.services import registration_reserve

    settings.PAGE_CACHE_SECONDS = 600
    event = published(make_event(capacity=10))
    other = published(make_event(capacity=10))
    client.get(other.url)  # the first request of a fresh site makes its settings (a purge)
    client.get(other.url)
    first = client.get(event.url)
    assert "10 places left." in first.content.decode() and first["X-Page-Cache"] == "miss"
    assert client.get(event.url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        registration_reserve(event=event, ticket_type=event.ticket_types.first(), email="new@example.org")

    after = client.get(event.url)
    assert after["X-Page-Cache"] == "miss" and "9 places left." in after.content.decode()
    booking = client.get(f"/events/{event.pk}/book/").content.decode()
    assert "Free: free, 9 places left" in booking
    assert client.get(event.url)["X-Page-Cache"] == "hit"
    assert client.get(other.url)["X-Page-Cache"] == "hit"  # another event's page is left cached
