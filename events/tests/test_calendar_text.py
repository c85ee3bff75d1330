"""A line break (or other control character) in a title or venue never breaks or injects into
a calendar: the event's .ics, the ticket's .ics and the confirmation email all work, read back
with icalendar and vobject, and carry no injected ATTENDEE. Staff cannot save such a title."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import icalendar
import pytest
import vobject
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory, sign_in_with_second_factor
from events import links, tasks
from events.models import EventPage
from events.tests.factories import RegistrationFactory, make_event
from training.ical import sessions_calendar

pytestmark = pytest.mark.django_db

INJECTED = "Party\r\nATTENDEE:mailto:x@evil"
ROOT = Path(__file__).resolve().parents[2]


def assert_reads_back_without_an_attendee(body: bytes) -> None:
    assert b"\nATTENDEE" not in body and b"\rATTENDEE" not in body
    calendar = icalendar.Calendar.from_ical(body)
    for component in calendar.walk():
        assert "ATTENDEE" not in component
        assert not component.errors
    for parsed in vobject.readComponents(body.decode()):
        for event in parsed.vevent_list:
            assert "attendee" not in event.contents
            assert "\n" not in event.summary.value


def injected_event():
    """An event saved before titles were checked (or written around the check)."""
    event = make_event()
    venue = "Hall\r\nATTENDEE:mailto:y@evil\n1 High Street"
    EventPage.objects.filter(pk=event.pk).update(title=INJECTED, venue=venue, summary="A\nB")
    return EventPage.objects.get(pk=event.pk)


def test_an_events_ics_with_a_line_break_in_its_title_and_venue_reads_back_without_an_attendee(client):
    event = injected_event()
    response = client.get(f"/events/{event.pk}/calendar.ics")
    assert response.status_code == 200
    assert_reads_back_without_an_attendee(response.content)
    vevent = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(vevent["summary"]) == "Party ATTENDEE:mailto:x@evil"
    assert str(vevent["location"]) == "Hall, ATTENDEE:mailto:y@evil, 1 High Street"
    assert str(vevent["description"]) == "A\nB"  # line breaks of a description are escaped, not lost


def test_a_tickets_ics_with_a_line_break_in_the_title_reads_back_without_an_attendee(client):
    registration = RegistrationFactory(event=injected_event())
    response = client.get(links.ticket_path(registration, "events:ticket_ics"))
    assert response.status_code == 200
    assert_reads_back_without_an_attendee(response.content)


def test_the_confirmation_email_of_an_event_with_a_line_break_in_its_title_is_sent(client):
    registration = RegistrationFactory(event=injected_event())
    assert tasks.registration_confirmation_send.call(registration_id=registration.pk) == "sent"
    (message,) = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    (ics,) = [content for name, content, _type in message.attachments if name == "event.ics"]
    assert_reads_back_without_an_attendee(ics if isinstance(ics, bytes) else ics.encode())
    assert client.get(links.ticket_path(registration)).status_code == 200


def test_under_python_optimised_mode_no_attendee_line_is_written():
    """icalendar refuses an unescaped newline with an assert, which `python -O` drops."""
    code = (
        "from types import SimpleNamespace as N; from datetime import datetime, UTC;"
        "from events.ical import events_calendar;"
        "t = datetime(2027, 1, 1, 18, tzinfo=UTC);"
        f"e = N(pk=1, title={INJECTED!r}, summary='s', starts_at=t, ends_at=t, time_zone='UTC', all_day=False,"
        "sequence=0, cancelled=False, online=False, venue='Hall', sensitive=False, url='/e/');"
        f"print(events_calendar([e], name={INJECTED!r}, base_url='https://x').decode())"
    )
    result = subprocess.run([sys.executable, "-O", "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "ATTENDEE" in result.stdout  # the text is there, on the line it belongs to
    assert not any(line.startswith("ATTENDEE") for line in result.stdout.splitlines())


def test_a_training_calendar_with_line_breaks_in_course_session_and_venue_reads_back_without_an_attendee():
    start = datetime(2027, 3, 1, 18, tzinfo=UTC)
    cohort = SimpleNamespace(time_zone="Europe/London", course=SimpleNamespace(title=INJECTED))
    session = SimpleNamespace(
        uid="u1",
        cohort=cohort,
        sequence=0,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        title="Week 1\nATTENDEE:mailto:z@evil",
        online_url="",
        venue="Room 3\r\nATTENDEE:mailto:w@evil",
        sensitive=False,
    )
    for discreet in (False, True):
        assert_reads_back_without_an_attendee(sessions_calendar([session], name=INJECTED, discreet=discreet))


@pytest.mark.parametrize("field", ["title"])
def test_an_event_title_with_a_line_break_is_refused_on_its_own_field(field):
    event = make_event()
    setattr(event, field, INJECTED)
    with pytest.raises(ValidationError) as refused:
        event.full_clean()
    assert "must be one line" in refused.value.message_dict[field][0]


def test_course_module_and_session_titles_with_a_line_break_are_refused():
    from training.models import CoursePage, LiveSession, ModulePage

    for model in (CoursePage, ModulePage, LiveSession):
        with pytest.raises(ValidationError) as refused:
            model(title=INJECTED).clean()
        assert "must be one line" in refused.value.message_dict["title"][0]
    with pytest.raises(ValidationError) as refused:
        LiveSession(title="Week 1", venue="Room\x00 3").clean()
    assert "control character" in refused.value.message_dict["venue"][0]
    LiveSession(title="Week 1", venue="Room 3\r\n1 High Street").clean()  # a venue may have lines


class FormValues(HTMLParser):
    """The values a browser would post from the page's main form."""

    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._textarea = self._select = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file", "image"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values.append((name, attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.values.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


def test_the_admin_refuses_to_publish_an_event_title_with_a_line_break_saying_why(client):
    event = make_event(title="Summer gathering")
    sign_in_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    url = f"/admin/pages/{event.pk}/edit/"
    form = FormValues()
    form.feed(client.get(url).content.decode())
    data: dict[str, list[str]] = {}
    for name, value in form.values:
        data.setdefault(name, []).append(value)
    data["body-count"] = ["0"]  # the StreamField's editor is drawn by script; the event has no body
    data["title"] = [INJECTED]
    data["action-publish"] = ["action-publish"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This must be one line" in response.content.decode()
    assert EventPage.objects.get(pk=event.pk).title == "Summer gathering"
    # The same form with an ordinary title publishes: the refusal is the line break alone.
    data["title"] = ["Summer gathering, renamed"]
    assert client.post(url, data).status_code == 302
    assert EventPage.objects.get(pk=event.pk).title == "Summer gathering, renamed"
