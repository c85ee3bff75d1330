import csv
import io
import time
from datetime import timedelta

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from certificates.models import Certificate
from core.models import AuditEvent
from training.check_in import check_in_code
from training.models import Enrolment, LiveSession, ModulePage, ModuleProgress, SessionAttendance
from training.services import (
    attendance_mark,
    attendance_self_check_in,
    completion_sign_off,
    module_complete,
)
from training.tests.factories import enrol, make_cohort, make_course, make_learner, make_trainer

pytestmark = pytest.mark.django_db


def modules_of(course):
    return list(ModulePage.objects.child_of(course).order_by("path"))


def test_completing_modules_and_attending_completes_the_course_and_requests_a_certificate(monkeypatch):
    calls = []
    import training.services

    real = training.services.certificate_issue
    monkeypatch.setattr(training.services, "certificate_issue", lambda **kw: (calls.append(kw), real(**kw)))
    trainer = make_trainer()
    course = make_course(modules=2, min_attendance_percent=50, hours=6)
    cohort = make_cohort(course, sessions=2, trainers=[trainer])
    enrolment = enrol(make_learner(), cohort)
    for module in modules_of(course):
        module_complete(enrolment=enrolment, module=module)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED  # attendance not met yet (0 of 2)
    sessions = list(cohort.sessions.all())
    attendance_mark(session=sessions[0], marks={enrolment.pk: "present"}, actor=trainer)
    attendance_mark(session=sessions[1], marks={enrolment.pk: "excused"}, actor=trainer)  # excused: not counted
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert len(calls) == 1 and calls[0]["recipient"] == enrolment.user and calls[0]["title"] == course.title
    certificate = Certificate.objects.get(source_key=f"training.enrolment:{enrolment.pk}")
    assert (certificate.recipient, certificate.title, certificate.hours) == (enrolment.user, course.title, 6)
    assert AuditEvent.objects.filter(action="certificate.issued", object_id=str(certificate.pk)).count() == 1


def test_a_locked_module_says_when_it_opens_and_cannot_be_completed(client):
    course = make_course(modules=1)
    module = modules_of(course)[0]
    module.release_on = timezone.localdate() + timedelta(days=5)
    module.save_revision().publish()
    learner = make_learner()
    enrol(learner, make_cohort(course))
    with pytest.raises(ValidationError, match="not open yet"):
        module_complete(enrolment=Enrolment.objects.get(), module=ModulePage.objects.get(pk=module.pk))
    client.force_login(learner)
    html = client.get(module.url).content.decode()
    assert "This module opens on" in html
    assert ModuleProgress.objects.count() == 0


def test_a_quiz_must_be_passed(client):
    course = make_course(modules=1, quiz_on=0)
    module = modules_of(course)[0]
    learner = make_learner()
    enrol(learner, make_cohort(course))
    client.force_login(learner)
    response = client.post(f"/training/modules/{module.pk}/complete/", {"q0": "1"}, follow=True)
    assert "You scored 0%" in response.content.decode()
    assert ModuleProgress.objects.count() == 0
    response = client.post(f"/training/modules/{module.pk}/complete/", {"q0": "2"}, follow=True)
    assert "module complete (100%)" in response.content.decode()
    assert ModuleProgress.objects.get().quiz_score == 100


def test_module_content_is_only_for_enrolled_learners(client):
    course = make_course(modules=1)
    module = modules_of(course)[0]
    module.body = [("paragraph", "<p>Secret lesson text</p>")]
    module.save_revision().publish()
    client.force_login(make_learner())
    html = client.get(module.url).content.decode()
    assert "Secret lesson text" not in html and "for learners enrolled" in html
    assert client.post(f"/training/modules/{module.pk}/complete/").status_code == 404


def test_trainers_can_only_mark_their_own_cohorts():
    course = make_course()
    mine, theirs = make_trainer(), make_trainer()
    cohort = make_cohort(course, sessions=1, trainers=[theirs])
    enrolment = enrol(make_learner(), cohort)
    with pytest.raises(ValidationError, match="trainers"):
        attendance_mark(session=cohort.sessions.first(), marks={enrolment.pk: "present"}, actor=mine)
    assert SessionAttendance.objects.count() == 0


def session_now(cohort, *, starts_in: timedelta = timedelta(minutes=-10), hours: int = 2):
    """A live session of `cohort` starting `starts_in` from now."""
    start = timezone.now() + starts_in
    return LiveSession.objects.create(
        cohort=cohort, title="Circle", starts_at=start, ends_at=start + timedelta(hours=hours)
    )


def test_self_check_in_accepts_only_the_current_code():
    cohort = make_cohort(make_course())
    session = session_now(cohort)
    enrolment = enrol(make_learner(), cohort)
    with pytest.raises(ValidationError, match="not right"):
        attendance_self_check_in(
            session=session, enrolment=enrolment, code="000000" if check_in_code(session) != "000000" else "111111"
        )
    old = check_in_code(session, time.time() - 180)
    if old != check_in_code(session) and old != check_in_code(session, time.time() - 60):
        with pytest.raises(ValidationError):
            attendance_self_check_in(session=session, enrolment=enrolment, code=old)
    attendance_self_check_in(session=session, enrolment=enrolment, code=check_in_code(session))
    mark = SessionAttendance.objects.get()
    assert mark.status == "present" and mark.self_checked_in


def test_sign_off_by_hand_needs_a_reason():
    trainer = make_trainer()
    cohort = make_cohort(make_course(), trainers=[trainer])
    enrolment = enrol(make_learner(), cohort)
    with pytest.raises(ValidationError, match="reason"):
        completion_sign_off(enrolment=enrolment, actor=trainer, reason=" ")
    completion_sign_off(enrolment=enrolment, actor=trainer, reason="Completed the work in a one-to-one")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED and enrolment.signed_off_by == trainer


def test_attendance_csv_escapes_formulas(client):
    from accounts.tests.factories import sign_in_with_second_factor

    trainer = make_trainer()
    cohort = make_cohort(make_course(), sessions=1, trainers=[trainer])
    learner = make_learner(display_name="=HYPERLINK(1)")
    enrolment = enrol(learner, cohort)
    attendance_mark(session=cohort.sessions.first(), marks={enrolment.pk: "late"}, actor=trainer)
    sign_in_with_second_factor(client, trainer)
    response = client.get(f"/admin/training/cohorts/{cohort.pk}/attendance.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][2] == "Late"


def test_attendance_page_saves_marks_for_the_trainers_own_cohort(client):
    from accounts.tests.factories import sign_in_with_second_factor

    trainer = make_trainer()
    cohort = make_cohort(make_course(), sessions=1, trainers=[trainer])
    enrolment = enrol(make_learner(), cohort)
    session = cohort.sessions.first()
    sign_in_with_second_factor(client, trainer)
    url = f"/admin/training/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/"
    assert client.get(url).status_code == 200
    response = client.post(url, {f"mark-{enrolment.pk}": "present", f"note-{enrolment.pk}": "Arrived early"})
    assert response.status_code == 302
    mark = SessionAttendance.objects.get()
    assert (mark.status, mark.trainer_note, mark.marked_by) == ("present", "Arrived early", trainer)


def test_the_private_feed_holds_only_that_learners_sessions_and_revoking_it_gives_404(client):
    course = make_course()
    mine = make_cohort(course, sessions=2, name="Mine")
    other = make_cohort(course, sessions=3, name="Other")
    learner = make_learner()
    enrol(learner, mine)
    enrol(make_learner(), other)
    client.force_login(learner)
    client.post("/account/calendar/", {"action": "create"})
    addresses = {address["key"]: address["url"] for address in client.get("/account/calendar/").context["addresses"]}
    path = addresses["learning"].split("testserver", 1)[1]
    client.logout()
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert sorted(str(e["summary"]) for e in events) == [f"{course.title}: Session 1", f"{course.title}: Session 2"]
    assert {str(e["uid"]) for e in events} == {f"session-{s.uid}@thrive" for s in mine.sessions.all()}
    assert all("dtstamp" in e and "sequence" in e for e in events)
    assert calendar.walk("VTIMEZONE")
    client.force_login(learner)
    client.post("/account/calendar/", {"action": "revoke"})
    client.logout()
    assert client.get(path).status_code == 404
    assert client.get("/training/feed/not-a-real-token.ics").status_code == 404


def test_the_old_my_learning_calendar_address_page_leads_to_the_account_calendar_page(client):
    """The feed is made on the account's calendar page now; a bookmarked old address redirects."""
    client.force_login(make_learner())
    response = client.get("/learning/calendar/")
    assert response.status_code == 302 and response["Location"] == "/account/calendar/"
    html = client.get("/learning/").content.decode()
    assert 'href="/account/calendar/"' in html


def test_discreet_learners_get_neutral_calendar_titles(client):
    cohort = make_cohort(make_course(), sessions=1)
    learner = make_learner(discreet_mode=True)
    enrol(learner, cohort)
    client.force_login(learner)
    response = client.get(f"/training/sessions/{cohort.sessions.first().pk}/calendar.ics")
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["summary"]) == "Appointment" and "description" not in event


def test_session_calendar_is_for_enrolled_learners_only(client):
    cohort = make_cohort(make_course(), sessions=1)
    client.force_login(make_learner())
    assert client.get(f"/training/sessions/{cohort.sessions.first().pk}/calendar.ics").status_code == 404


def test_changing_a_session_increases_its_sequence():
    cohort = make_cohort(make_course(), sessions=1)
    session = cohort.sessions.first()
    before = session.sequence
    session.title = "Moved"
    session.save()
    assert session.sequence == before + 1


def test_a_trainer_posting_marks_to_another_cohort_gets_404_and_nothing_changes(client):
    from accounts.tests.factories import sign_in_with_second_factor

    owner, intruder = make_trainer(), make_trainer()
    cohort = make_cohort(make_course(), sessions=1, trainers=[owner])
    enrolment = enrol(make_learner(), cohort)
    sign_in_with_second_factor(client, intruder)
    url = f"/admin/training/cohorts/{cohort.pk}/sessions/{cohort.sessions.get().pk}/attendance/"
    assert client.post(url, {f"mark-{enrolment.pk}": "absent"}).status_code == 404
    assert SessionAttendance.objects.count() == 0


def test_trainers_see_their_own_learners_access_needs_and_membership_staff_do_not_here(client):
    from accounts.tests.factories import UserFactory, sign_in_with_second_factor

    trainer = make_trainer()
    cohort = make_cohort(make_course(), trainers=[trainer])
    enrol(make_learner(access_needs="Needs a quiet room"), cohort)
    sign_in_with_second_factor(client, trainer)
    assert "Needs a quiet room" in client.get(f"/admin/training/cohorts/{cohort.pk}/").content.decode()
    sign_in_with_second_factor(client, make_trainer())
    assert client.get(f"/admin/training/cohorts/{cohort.pk}/").status_code == 404
    sign_in_with_second_factor(client, UserFactory(groups=["Membership"]))
    html = client.get(f"/admin/training/cohorts/{cohort.pk}/").content.decode()
    assert "Needs a quiet room" not in html  # Membership sees access needs on the member page instead


def test_the_private_feed_parses_with_an_independent_parser(client):
    """vobject (not the library that wrote it) reads the feed: times keep their zone."""
    import vobject

    cohort = make_cohort(make_course(), sessions=2, time_zone="America/New_York")
    learner = make_learner()
    enrol(learner, cohort)
    client.force_login(learner)
    body = client.get(f"/training/sessions/{cohort.sessions.first().pk}/calendar.ics").content.decode()
    calendar = vobject.readOne(body)
    event = calendar.vevent
    assert str(event.dtstart.value.tzinfo) in ("America/New_York", "EST", "EDT") or "New_York" in repr(
        event.dtstart.value.tzinfo
    )
    assert event.dtstart.value == cohort.sessions.first().starts_at.replace(microsecond=0)
    assert event.uid.value.endswith("@thrive")


def test_a_learner_who_enrols_after_the_first_session_completes_by_attending_the_sessions_after_it(client):
    """Enrolled after session 1 of 3, attended 2 and 3: 100% of the sessions that count, so a
    60% minimum is met (it was 67% at best, and 0% shown, when session 1 counted against them)."""
    trainer = make_trainer()
    course = make_course(modules=1, min_attendance_percent=60)
    cohort = make_cohort(course, sessions=3, trainers=[trainer])
    first, second, third = cohort.sessions.order_by("starts_at")
    learner = make_learner()
    enrolment = enrol(learner, cohort, enrolled_at=first.ends_at + timedelta(hours=1))
    module_complete(enrolment=enrolment, module=modules_of(course)[0])
    attendance_mark(session=second, marks={enrolment.pk: "present"}, actor=trainer)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED  # session 3 not marked yet: 50%
    client.force_login(learner)
    assert "Attendance so far: 50%" in client.get("/learning/").content.decode()
    attendance_mark(session=third, marks={enrolment.pk: "present"}, actor=trainer)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert Certificate.objects.filter(source_key=f"training.enrolment:{enrolment.pk}").exists()
    assert "Attendance so far: 100%" in client.get("/learning/").content.decode()


def test_sessions_before_enrolment_do_not_count_on_my_learning_or_for_the_trainer(client):
    from accounts.tests.factories import sign_in_with_second_factor

    trainer = make_trainer()
    course = make_course(modules=1, min_attendance_percent=60)
    cohort = make_cohort(course, sessions=2, trainers=[trainer])
    first, second = cohort.sessions.order_by("starts_at")
    learner = make_learner(display_name="Late Joiner")
    enrolment = enrol(learner, cohort, enrolled_at=first.ends_at + timedelta(minutes=5))
    client.force_login(learner)
    html = client.get("/learning/").content.decode()
    assert "Attendance so far: 0%" in html  # session 2 happened, unmarked: it counts
    attendance_mark(session=second, marks={enrolment.pk: "present"}, actor=trainer)
    assert "Attendance so far: 100%" in client.get("/learning/").content.decode()
    client.logout()
    sign_in_with_second_factor(client, trainer)
    detail = client.get(f"/admin/training/cohorts/{cohort.pk}/").content.decode()
    assert "100%" in detail and "50%" not in detail
    register = client.get(f"/admin/training/cohorts/{cohort.pk}/sessions/{first.pk}/attendance/").content.decode()
    assert "enrolled after this session" in register


def test_attending_a_session_held_before_enrolment_still_counts_for_the_learner():
    trainer = make_trainer()
    course = make_course(modules=0, min_attendance_percent=100)
    cohort = make_cohort(course, sessions=2, trainers=[trainer])
    first, second = cohort.sessions.order_by("starts_at")
    enrolment = enrol(make_learner(), cohort, enrolled_at=second.ends_at + timedelta(minutes=1))
    attendance_mark(session=first, marks={enrolment.pk: "absent"}, actor=trainer)
    attendance_mark(session=second, marks={enrolment.pk: "present"}, actor=trainer)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED  # the absence before enrolling is left out


@pytest.mark.parametrize(
    ("starts_in", "opens"),
    [(timedelta(days=2), True), (timedelta(minutes=31), True), (timedelta(hours=-3), False)],
    ids=["two-days-early", "31-minutes-early", "after-it-ended"],
)
def test_self_check_in_is_refused_outside_the_sessions_time_with_a_clear_message(client, starts_in, opens):
    cohort = make_cohort(make_course())
    session = session_now(cohort, starts_in=starts_in)
    learner = make_learner()
    enrolment = enrol(learner, cohort)
    expected = "opens at" if opens else "closed when it ended"
    with pytest.raises(ValidationError, match=expected):
        attendance_self_check_in(session=session, enrolment=enrolment, code=check_in_code(session))
    client.force_login(learner)
    page = client.get(f"/training/sessions/{session.pk}/check-in/").content.decode()
    assert expected in page and 'name="code"' not in page
    response = client.post(f"/training/sessions/{session.pk}/check-in/", {"code": check_in_code(session)})
    assert expected in response.content.decode()
    assert SessionAttendance.objects.count() == 0


def test_self_check_in_opens_thirty_minutes_before_the_start():
    cohort = make_cohort(make_course())
    session = session_now(cohort, starts_in=timedelta(minutes=29))
    enrolment = enrol(make_learner(), cohort)
    attendance_self_check_in(session=session, enrolment=enrolment, code=check_in_code(session))
    assert SessionAttendance.objects.get().self_checked_in


def test_my_learning_and_the_trainers_pages_show_session_times_in_the_cohorts_own_time_zone(client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    cohort = make_cohort(make_course(), time_zone="America/New_York")
    start = datetime(2030, 1, 15, 18, 0, tzinfo=ZoneInfo("America/New_York"))  # 23:00 in London
    LiveSession.objects.create(
        cohort=cohort, title="Evening circle", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    learner = make_learner()
    enrol(learner, cohort)
    client.force_login(learner)
    html = client.get("/learning/").content.decode()
    assert "Tuesday 15 January 2030, 18:00 to 20:00 (America/New_York)" in html
    assert "Next session: 15 January, 18:00 (America/New_York)" in html
    from accounts.tests.factories import sign_in_with_second_factor

    trainer = make_trainer()
    cohort.trainers.add(trainer)
    client.logout()
    sign_in_with_second_factor(client, trainer)
    session = cohort.sessions.get()
    assert (
        "15 Jan 2030 18:00 (America/New_York)" in client.get(f"/admin/training/cohorts/{cohort.pk}/").content.decode()
    )
    register = client.get(f"/admin/training/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/")
    assert "Tuesday 15 January 2030, 18:00 (America/New_York)" in register.content.decode()
