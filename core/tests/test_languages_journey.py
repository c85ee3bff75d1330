"""Issue 16 acceptance: a member whose language is Vietnamese, in the US chapter (New York
time), books an event and completes a course. The confirmation email (subject and body), the
ticket PDF, the .ics and the certificate PDF are in Vietnamese and give the event's times and
the certificate's date in New York, not London.

"In Vietnamese" is checked two ways, with an English-speaking member of the same chapter doing
the same as the comparison: every message of the catalogue found in the English document is
found translated in the Vietnamese one (and there is at least one), and nothing of the English
document is left in the Vietnamese one (core/tests/language_check.py) but content (names,
titles, codes)."""

import re
import secrets
import subprocess
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import formats, timezone, translation
from icalendar import Calendar

from accounts.tests.factories import ChapterFactory, MemberProfileFactory
from core.tests.language_check import (
    PLACEHOLDER,
    Content,
    catalogue,
    catalogue_patterns,
    messages_left,
    normalise,
    same_english,
    text_lines,
)

pytestmark = [pytest.mark.django_db]

NEW_YORK = ZoneInfo("America/New_York")
# 10 March 2031, 20:30 in New York (daylight time from 9 March), 00:30 on the 11th in London.
STARTS = datetime(2031, 3, 11, 0, 30, tzinfo=UTC)
# The course is completed at 02:30 UTC on 4 March 2027: still the 3rd in New York.
COMPLETED = datetime(2027, 3, 4, 2, 30, tzinfo=UTC)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def msgstr(msgid: str, code: str = "vi") -> str:
    """The translation of `msgid` in the catalogue (fails if it is missing or empty)."""
    for message in catalogue(code):
        if message.msgid == msgid and message.msgstrs and message.msgstrs[0]:
            return message.msgstrs[0]
    pytest.fail(f"{msgid!r} has no {code} translation in the catalogue")


def longest_fragment(text: str) -> str:
    return max((normalise(part) for part in PLACEHOLDER.split(text)), key=len)


def translated_messages(english: str, translated: str, content: Content, code: str = "vi") -> list[str]:
    """The catalogue's messages found in the English document, each checked to be in the
    translated one by the longest piece of its translation. Returns them; fails if one is not."""
    found, missing = [], []
    english_text = normalise(english)
    translated_text = normalise(translated)
    translations = {message.msgid: message for message in catalogue(code)}
    for pattern in catalogue_patterns(code):
        if not pattern.regex.search(english_text) or content.holds(pattern.literal):
            continue
        message = translations[pattern.message.msgid]
        piece = longest_fragment(message.msgstrs[0] if message.msgstrs else "")
        found.append(pattern.message.msgid)
        if not piece or piece not in translated_text:
            missing.append(f"{pattern.message.msgid!r} -> {piece!r}")
    assert missing == [], missing
    return found


def assert_in_vietnamese(english: str, vietnamese: str, content: Content, what: str) -> None:
    used = translated_messages(english, vietnamese, content)
    assert used, f"{what}: no message of the catalogue found in the English one"
    assert messages_left(vietnamese, catalogue_patterns("vi"), content) == [], what
    assert same_english(text_lines(english), text_lines(vietnamese), content) == [], what


@pytest.fixture
def us_chapter(db):
    return ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")


def book(client, django_capture_on_commit_callbacks, member, event):
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    data = {
        "ticket_type": event.ticket_types.first().pk,
        "email": member.email,
        "nonce": secrets.token_hex(8),
        "attendee_name": member.member_profile.display_name,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.pk}/book/", data)  # the English page: the language is theirs
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    [message] = [message for message in mail.outbox if message.to == [member.email]]
    attachments = {name: content for name, content, _type in message.attachments}
    pdf = next(content for name, content in attachments.items() if name.endswith(".pdf"))
    return message, pdf_text(pdf), attachments["event.ics"]


def test_a_vietnamese_member_in_new_york_books_an_event_in_vietnamese_and_new_york_time(
    client, django_capture_on_commit_callbacks, us_chapter
):
    from events.tests.factories import make_event

    event = make_event(
        title="Zqx gathering",
        chapter=us_chapter,
        time_zone="America/New_York",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2),
        online=True,
        online_link="https://meet.example.org/zqx",
    )
    english_member = MemberProfileFactory(chapter=us_chapter, display_name="Ann Zqxen", preferred_language="en-gb")
    member = MemberProfileFactory(chapter=us_chapter, display_name="Linh Zqxvi", preferred_language="vi")
    english_email, english_pdf, english_ics = book(
        client, django_capture_on_commit_callbacks, english_member.user, event
    )
    email, pdf, ics = book(client, django_capture_on_commit_callbacks, member.user, event)
    content = Content.of_database()

    # The subject and the body.
    assert email.subject == msgstr("Your place: {event}").format(event=event.title), email.subject
    assert email.subject != english_email.subject
    assert_in_vietnamese(english_email.body, email.body, content, "the confirmation email")
    # The ticket PDF.
    assert_in_vietnamese(english_pdf, pdf, content, "the ticket PDF")
    # Times in New York's zone: 20:30 on the 10th, not 00:30 on the 11th (London).
    for text in (email.body, pdf):
        assert "20:30" in text and "00:30" not in text, text
        with translation.override("vi"):
            day = formats.date_format(STARTS.astimezone(NEW_YORK), "j F")
        assert normalise(day) in normalise(text), (day, text)

    # The .ics: its one text of ours (the place of an online event) in Vietnamese, New York time.
    [vevent] = Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["location"]) == msgstr("Online") != "Online"
    [english_vevent] = Calendar.from_ical(english_ics).walk("VEVENT")
    assert str(english_vevent["location"]) == "Online"
    start = vevent.decoded("dtstart")
    assert start == STARTS and start.utcoffset() == timedelta(hours=-4)
    assert getattr(start.tzinfo, "key", str(start.tzinfo)) == "America/New_York"
    ics_text = ics if isinstance(ics, str) else ics.decode()  # Django gives text/* attachments as str
    assert "TZID=America/New_York:20310310T203000" in ics_text


def test_a_vietnamese_member_in_new_york_completes_a_course_and_gets_a_vietnamese_certificate_dated_in_new_york(
    django_capture_on_commit_callbacks, us_chapter, monkeypatch
):
    from certificates.models import Certificate
    from training.models import CoursePage, Enrolment, ModulePage
    from training.services import module_complete
    from training.tests.factories import enrol, make_cohort, make_course

    course = make_course(modules=1, title="Zqx foundations")
    CoursePage.objects.filter(pk=course.pk).update(chapter=us_chapter)
    course.refresh_from_db()
    cohort = make_cohort(course)
    english_member = MemberProfileFactory(
        chapter=us_chapter, display_name="Ann Zqxen", certificate_name="Ann Zqxen", preferred_language="en-gb"
    )
    member = MemberProfileFactory(
        chapter=us_chapter, display_name="Linh Zqxvi", certificate_name="Linh Zqxvi", preferred_language="vi"
    )
    monkeypatch.setattr(timezone, "now", lambda: COMPLETED)
    texts = {}
    for profile in (english_member, member):
        enrolment = enrol(profile.user, cohort)
        with django_capture_on_commit_callbacks(execute=True):
            for module in ModulePage.objects.child_of(course):
                module_complete(enrolment=enrolment, module=module)
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.COMPLETED
        certificate = Certificate.objects.get(recipient=profile.user)
        [message] = [message for message in mail.outbox if message.to == [profile.user.email]]
        pdf = dict((name, content) for name, content, _type in message.attachments)["certificate.pdf"]
        texts[profile.preferred_language] = (message, pdf_text(pdf), certificate)
    content = Content.of_database()
    english_message, english_pdf, _ = texts["en-gb"]
    message, pdf, certificate = texts["vi"]

    assert_in_vietnamese(english_pdf, pdf, content, "the certificate PDF")
    assert normalise(msgstr("Certificate of completion")) in normalise(pdf)
    assert_in_vietnamese(english_message.body, message.body, content, "the certificate email")
    assert message.subject != english_message.subject and certificate.title in message.subject

    # Completed at 21:30 on 3 March in New York (02:30 on the 4th in London and UTC).
    assert certificate.awarded_on == date(2027, 3, 3)
    with translation.override("vi"):
        awarded = formats.date_format(date(2027, 3, 3), "j F Y")
        wrong_day = formats.date_format(date(2027, 3, 4), "j F Y")
    assert normalise(awarded) in normalise(pdf) and normalise(wrong_day) not in normalise(pdf), pdf
    assert re.search(r"\d", awarded)
