"""Door check-in: the services, the page (without JavaScript) and its JSON endpoint."""

import json
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory, sign_in_with_second_factor
from events.models import Registration
from events.services import registration_check_in, registration_check_in_undo
from events.tests.factories import RegistrationFactory, make_event

pytestmark = pytest.mark.django_db

Status = Registration.Status


def door_staff():
    return UserFactory(groups=["Event staff"])


def scan_url(event) -> str:
    return f"/admin/events/{event.pk}/check-in/scan/"


def page_url(event) -> str:
    return f"/admin/events/{event.pk}/check-in/"


XHR = {"X-Requested-With": "XMLHttpRequest"}  # as static/js/check-in.js sends


def scan(client, event, code, action="check_in", attempt="attempt-0001"):
    body = json.dumps({"code": code, "action": action, "attempt": attempt})
    return client.post(scan_url(event), body, "application/json", headers=XHR).json()


@pytest.fixture
def staff_client(client):
    sign_in_with_second_factor(client, door_staff())
    return client


def test_a_second_scan_says_when_the_ticket_was_first_used_in_the_event_time_zone(staff_client):
    event = make_event(time_zone="Europe/London")
    ticket = RegistrationFactory(event=event)
    first = datetime.now(ZoneInfo("Europe/London")).replace(hour=18, minute=4)
    registration_check_in(event=event, code=ticket.code, actor=None, now=first)
    answer = scan(staff_client, event, ticket.code)
    assert answer["outcome"] == "already"
    assert answer["message"].startswith("Already checked in at 18:04")
    assert answer["counts"] == {"expected": 1, "in": 1}


def test_a_ticket_for_another_event_is_refused_with_that_events_title(staff_client):
    event, other = make_event(), make_event(title="Spring supper")
    ticket = RegistrationFactory(event=other)
    answer = scan(staff_client, event, ticket.code)
    assert answer == answer | {"outcome": "refused", "message": "This ticket is for another event: Spring supper."}
    assert Registration.objects.get(pk=ticket.pk).status == Status.CONFIRMED


def test_an_unknown_code_is_refused_plainly(staff_client):
    answer = scan(staff_client, make_event(), "ZZZZ-ZZZZ-ZZZZ")
    assert (answer["outcome"], answer["message"]) == ("refused", "No ticket has that code.")


@pytest.mark.parametrize(
    ("status", "says"),
    [(Status.RESERVED, "not paid yet"), (Status.CANCELLED, "was cancelled"), (Status.PENDING, "waiting for approval")],
)
def test_unpaid_cancelled_and_unapproved_tickets_are_refused_saying_why(staff_client, status, says):
    event = make_event()
    ticket = RegistrationFactory(event=event, status=status)
    answer = scan(staff_client, event, ticket.code)
    assert answer["outcome"] == "refused" and says in answer["message"]
    assert answer["counts"]["in"] == 0


def starting_soon(**fields):
    start = timezone.now() + timedelta(hours=1)
    return make_event(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


def test_a_typed_code_in_lower_case_with_misread_letters_checks_in_and_counts_go_up(staff_client):
    event = starting_soon()
    ticket = RegistrationFactory(event=event, code="10AB-CDEF-GH10", attendee_name="Amani")
    RegistrationFactory(event=event)
    answer = scan(staff_client, event, "lo ab cdef gh1o")
    assert answer["outcome"] == "checked_in" and answer["message"] == "Checked in: Amani (Free)."
    assert answer["counts"] == {"expected": 2, "in": 1}
    assert answer["recent"][0]["code"] == ticket.code
    ticket.refresh_from_db()
    assert ticket.status == Status.CHECKED_IN and ticket.checked_in_by is not None


def test_a_retried_request_gets_the_first_answer_and_counts_once(staff_client):
    event = make_event()
    ticket = RegistrationFactory(event=event)
    first = scan(staff_client, event, ticket.code, attempt="retry-attempt-1")
    again = scan(staff_client, event, ticket.code, attempt="retry-attempt-1")
    assert first["outcome"] == again["outcome"] == "checked_in"
    assert again["counts"] == {"expected": 1, "in": 1}
    assert scan(staff_client, event, ticket.code, attempt="a-new-scan-1")["outcome"] == "already"


def test_undo_puts_the_ticket_back_and_a_repeated_undo_changes_nothing(staff_client):
    event = make_event()
    ticket = RegistrationFactory(event=event)
    scan(staff_client, event, ticket.code, attempt="check-in-01")
    answer = scan(staff_client, event, ticket.code, action="undo", attempt="undo-0001")
    assert answer["outcome"] == "undone" and answer["counts"]["in"] == 0
    ticket.refresh_from_db()
    assert (ticket.status, ticket.checked_in_at, ticket.checked_in_by) == (Status.CONFIRMED, None, None)
    assert scan(staff_client, event, ticket.code, action="undo", attempt="undo-0002")["outcome"] == "not_checked_in"
    assert scan(staff_client, event, ticket.code, attempt="check-in-02")["outcome"] == "checked_in"


def test_undo_refuses_another_events_ticket():
    event, other = make_event(), make_event(title="Other")
    ticket = RegistrationFactory(event=other, status=Status.CHECKED_IN, checked_in_at=timezone.now())
    with pytest.raises(ValidationError, match="another event: Other"):
        registration_check_in_undo(event=event, code=ticket.code, actor=None)
    assert Registration.objects.get(pk=ticket.pk).status == Status.CHECKED_IN


def test_the_page_checks_in_without_javascript_and_shows_names_never_emails(staff_client):
    event = starting_soon()
    ticket = RegistrationFactory(event=event, attendee_name="River", email="river.private@example.org")
    response = staff_client.post(page_url(event), {"code": ticket.code, "action": "check_in"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Checked in: River (Free)." in html and "Undo this check-in" in html
    assert 'id="count-in">1<' in html
    assert "river.private" not in html


def test_the_page_finds_a_ticket_by_name_for_someone_without_their_ticket(staff_client):
    event = make_event()
    RegistrationFactory(event=event, attendee_name="Noor Haddad")
    RegistrationFactory(event=event, attendee_name="Lee")
    html = staff_client.get(page_url(event), {"q": "noor"}).content.decode()
    assert "Noor Haddad" in html and "Check in Noor Haddad" in html and "Lee ·" not in html


def test_staff_without_the_event_staff_role_are_refused(client):
    """The admin's way: the page sends them to the admin home saying they may not; the JSON
    endpoint answers 403."""
    event = make_event()
    ticket = RegistrationFactory(event=event)
    sign_in_with_second_factor(client, UserFactory(groups=["Trainers"]))
    response = client.get(page_url(event), follow=True)
    assert response.redirect_chain[0] == ("/admin/", 302) and "do not have permission" in response.content.decode()
    assert (
        client.post(scan_url(event), json.dumps({"code": ticket.code}), "application/json", headers=XHR).status_code
        == 403
    )
    assert Registration.objects.get(pk=ticket.pk).status == Status.CONFIRMED


def test_anonymous_visitors_are_sent_to_sign_in_and_the_endpoint_answers_403(client):
    event = make_event()
    response = client.get(page_url(event))
    assert response.status_code == 302 and response["Location"].startswith(("/accounts/login/", "/admin/login/"))
    assert client.post(scan_url(event), "{}", "application/json", headers=XHR).status_code == 403


def test_the_json_endpoint_refuses_a_post_without_the_csrf_token():
    event = make_event()
    strict = Client(enforce_csrf_checks=True)
    sign_in_with_second_factor(strict, door_staff())
    response = strict.post(scan_url(event), json.dumps({"code": "X"}), "application/json")
    assert response.status_code == 403


def test_a_superuser_may_check_people_in(client):
    event = make_event()
    ticket = RegistrationFactory(event=event)
    sign_in_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    assert scan(client, event, ticket.code)["outcome"] == "checked_in"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_phones_scanning_the_same_ticket_at_once_count_it_once(wagtail_tree):
    event = make_event()
    ticket = RegistrationFactory(event=event)
    clients = []
    for _ in range(2):
        phone = Client()
        # A superuser: an earlier transactional test's flush may have removed the staff groups.
        sign_in_with_second_factor(phone, UserFactory(is_superuser=True, is_staff=True))
        clients.append(phone)
    barrier = threading.Barrier(2)
    outcomes = []

    def phone_scans(phone, n):
        try:
            barrier.wait()
            outcomes.append(scan(phone, event, ticket.code, attempt=f"phone-scan-{n}")["outcome"])
        finally:
            connection.close()

    threads = [threading.Thread(target=phone_scans, args=(phone, n)) for n, phone in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already", "checked_in"]
    assert Registration.objects.filter(event=event, status=Status.CHECKED_IN).count() == 1


def test_check_in_records_who_and_when(staff_client):
    event = make_event()
    ticket = RegistrationFactory(event=event)
    before = timezone.now() - timedelta(seconds=1)
    scan(staff_client, event, ticket.code)
    ticket.refresh_from_db()
    assert ticket.checked_in_at >= before and ticket.checked_in_by.groups.filter(name="Event staff").exists()


def test_a_ticket_checked_in_days_early_or_after_the_event_is_accepted_with_a_note_of_its_date(staff_client):
    start = datetime(2030, 12, 7, 18, 0, tzinfo=ZoneInfo("America/New_York"))
    early = make_event(starts_at=start, ends_at=start + timedelta(hours=3), time_zone="America/New_York")
    ticket = RegistrationFactory(event=early, attendee_name="Amani")
    answer = scan(staff_client, early, ticket.code)
    assert answer["outcome"] == "checked_in"
    assert answer["message"] == (
        "Checked in: Amani (Free). Note: this event starts on Sat 7 Dec 2030 18:00 (America/New_York)."
    )
    past = make_event(
        starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=3, hours=-2)
    )
    late = RegistrationFactory(event=past, attendee_name="River")
    html = staff_client.post(page_url(past), {"code": late.code, "action": "check_in"}).content.decode()
    assert "Checked in: River (Free). Note: this event ended on" in html
    soon = starting_soon()
    on_the_day = RegistrationFactory(event=soon, attendee_name="Sam")
    assert scan(staff_client, soon, on_the_day.code)["message"] == "Checked in: Sam (Free)."
