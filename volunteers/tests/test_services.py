"""Volunteering's rules, through the services: applying, deciding, checks, signing up, cancelling,
attendance and hours."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import MemberProfileFactory, UserFactory
from volunteers import services
from volunteers.models import CheckLevel, CheckStatus, NameShown, RoleApproval, SignUp, Volunteer
from volunteers.tests.factories import make_role, make_shift, make_volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _emails_sent_at_commit(monkeypatch):
    """Run what services queue for after the commit at once (the test's transaction never
    commits), so a test sees the emails its action sent."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda callback, using=None, robust=False: callback())


def _apply(user, **fields):
    values = {"name": "Alex Morgan", "name_shown": NameShown.HIDDEN, "roles": [make_role()]}
    values.update(fields)
    return services.application_submit(user=user, **values)


def test_an_application_waits_for_staff_and_emails_the_applicant():
    user = UserFactory(email="alex@example.org")
    volunteer = _apply(user)
    assert volunteer.status == Volunteer.Status.APPLIED
    assert list(volunteer.approvals.values_list("status", flat=True)) == [RoleApproval.Status.ASKED]
    assert [m.to for m in mail.outbox] == [["alex@example.org"]]
    assert "/volunteering/mine/" in mail.outbox[0].body


def test_sending_the_application_twice_keeps_one_volunteer_and_one_email():
    user = UserFactory()
    _apply(user)
    _apply(user)
    assert Volunteer.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1


def test_an_application_without_a_role_is_refused_with_a_message_on_the_roles():
    with pytest.raises(ValidationError) as error:
        _apply(UserFactory(), roles=[])
    assert "Choose at least one role." in error.value.message_dict["roles"]


def test_a_chosen_name_left_empty_is_refused():
    with pytest.raises(ValidationError) as error:
        _apply(UserFactory(), name_shown=NameShown.CHOSEN, chosen_name="  ")
    assert "chosen_name" in error.value.message_dict


def test_approving_one_of_two_roles_approves_the_volunteer_for_that_role_only():
    steward, driver = make_role(), make_role("Driver", CheckLevel.DBS_BASIC)
    volunteer = _apply(UserFactory(), roles=[steward, driver])
    mail.outbox.clear()
    services.application_decide(
        volunteer=volunteer, actor=UserFactory(groups=["Membership"]), approved_role_ids={steward.pk}
    )
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.APPROVED
    assert dict(volunteer.approvals.values_list("role__name", "status")) == {
        "Event steward": "approved",
        "Driver": "declined",
    }
    assert "Event steward" in mail.outbox[0].body


def test_approving_no_role_declines_the_application():
    volunteer = _apply(UserFactory())
    services.application_decide(volunteer=volunteer, actor=UserFactory(), approved_role_ids=set())
    assert Volunteer.objects.get(pk=volunteer.pk).status == Volunteer.Status.DECLINED


def test_a_finished_check_without_a_date_is_refused():
    volunteer = make_volunteer()
    with pytest.raises(ValidationError) as error:
        services.check_record(
            volunteer=volunteer,
            actor=UserFactory(),
            level=CheckLevel.DBS_BASIC,
            status=CheckStatus.CLEAR,
            checked_on=None,
        )
    assert "check_date" in error.value.message_dict


def test_a_check_dated_in_the_future_is_refused():
    volunteer = make_volunteer()
    with pytest.raises(ValidationError):
        services.check_record(
            volunteer=volunteer,
            actor=UserFactory(),
            level=CheckLevel.DBS_BASIC,
            status=CheckStatus.CLEAR,
            checked_on=timezone.localdate() + datetime.timedelta(days=1),
        )


def test_an_approved_volunteer_takes_a_place_and_gets_the_ics_by_email():
    volunteer = make_volunteer()
    shift = make_shift(places=2)
    sign_up = services.shift_sign_up(volunteer=volunteer, shift=shift)
    assert sign_up.status == SignUp.Status.SIGNED_UP
    message = mail.outbox[-1]
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == ("shift.ics", "text/calendar")
    assert f"UID:shift-{shift.pk}@thrive" in str(content)


def test_signing_up_twice_keeps_one_place():
    volunteer, shift = make_volunteer(), make_shift()
    first = services.shift_sign_up(volunteer=volunteer, shift=shift)
    second = services.shift_sign_up(volunteer=volunteer, shift=shift)
    assert first.pk == second.pk
    assert SignUp.objects.filter(shift=shift).count() == 1


def test_a_full_shift_refuses_the_next_volunteer():
    shift = make_shift(places=1)
    services.shift_sign_up(volunteer=make_volunteer(), shift=shift)
    with pytest.raises(ValidationError) as error:
        services.shift_sign_up(volunteer=make_volunteer(), shift=shift)
    assert error.value.code == "full"


def test_a_volunteer_not_approved_for_the_role_cannot_sign_up():
    volunteer = make_volunteer(roles=[make_role("Admin help")])
    with pytest.raises(ValidationError) as error:
        services.shift_sign_up(volunteer=volunteer, shift=make_shift(role=make_role()))
    assert error.value.code == "not_approved"


def test_a_role_needing_an_enhanced_check_waits_for_that_check_to_be_clear():
    mentor = make_role("Peer mentor", CheckLevel.DBS_ENHANCED)
    shift = make_shift(role=mentor)
    basic_only = make_volunteer(roles=[mentor], check=CheckLevel.DBS_BASIC)
    with pytest.raises(ValidationError):
        services.shift_sign_up(volunteer=basic_only, shift=shift)
    enhanced = make_volunteer(roles=[mentor], check=CheckLevel.DBS_ENHANCED)
    assert services.shift_sign_up(volunteer=enhanced, shift=shift).status == SignUp.Status.SIGNED_UP


def test_a_cancelled_place_goes_back_to_the_shift():
    shift = make_shift(places=1)
    volunteer = make_volunteer()
    sign_up = services.shift_sign_up(volunteer=volunteer, shift=shift)
    services.sign_up_cancel(sign_up=sign_up, actor=volunteer.user)
    assert services.shift_sign_up(volunteer=make_volunteer(), shift=shift).status == SignUp.Status.SIGNED_UP


def test_a_shift_cannot_have_fewer_places_than_volunteers_signed_up():
    shift = make_shift(places=2)
    services.shift_sign_up(volunteer=make_volunteer(), shift=shift)
    services.shift_sign_up(volunteer=make_volunteer(), shift=shift)
    shift.places = 1
    with pytest.raises(ValidationError) as error:
        services.shift_save(shift=shift, actor=UserFactory())
    assert "places" in error.value.message_dict


def _attended(volunteer, hours=None, shift_hours=3):
    shift = make_shift(days=-2, hours=shift_hours)
    sign_up = SignUp.objects.create(shift=shift, volunteer=volunteer)
    services.attendance_mark(shift=shift, actor=UserFactory(), marks={sign_up.pk: (True, hours)})
    return SignUp.objects.get(pk=sign_up.pk)


def test_attendance_gives_the_shifts_length_unless_staff_type_other_hours():
    volunteer = make_volunteer()
    assert _attended(volunteer).hours == Decimal("3.0")
    assert _attended(volunteer, hours=Decimal("1.5")).hours == Decimal("1.5")
    assert services.hours_given(volunteer) == Decimal("4.5")


def test_attendance_cannot_be_marked_before_the_shift_starts():
    shift = make_shift(days=2)
    sign_up = services.shift_sign_up(volunteer=make_volunteer(), shift=shift)
    with pytest.raises(ValidationError):
        services.attendance_mark(shift=shift, actor=UserFactory(), marks={sign_up.pk: (True, None)})


def test_the_day_before_reminder_goes_once_with_the_ics():
    from volunteers.emails import shift_reminders_send

    shift = make_shift(days=0.5)
    services.shift_sign_up(volunteer=make_volunteer(), shift=shift)
    mail.outbox.clear()
    assert shift_reminders_send() == 1
    assert shift_reminders_send() == 0
    assert mail.outbox[0].subject == "Tomorrow: your volunteering shift"
    assert mail.outbox[0].attachments[0][0] == "shift.ics"


def test_a_volunteer_in_discreet_mode_gets_a_neutral_reminder_and_calendar_entry():
    from volunteers.emails import shift_reminders_send

    profile = MemberProfileFactory(discreet_mode=True)
    shift = make_shift(days=0.5)
    services.shift_sign_up(volunteer=make_volunteer(user=profile.user), shift=shift)
    mail.outbox.clear()
    shift_reminders_send()
    message = mail.outbox[0]
    calendar = str(message.attachments[0][1])
    assert "Welcome desk" not in message.body + calendar
    assert "Community Hall" not in message.body + calendar
    assert "SUMMARY:Appointment" in calendar


def test_no_hours_yet_means_no_certificate():
    with pytest.raises(ValidationError):
        services.hours_certificate_issue(volunteer=make_volunteer())


def test_cancelling_a_shift_tells_each_volunteer_with_an_ics_that_cancels_the_entry_and_closes_it():
    shift = make_shift()
    services.shift_sign_up(volunteer=make_volunteer(), shift=shift)
    mail.outbox.clear()
    assert services.shift_cancel(shift=shift, actor=UserFactory()) == 1
    assert services.shift_cancel(shift=shift, actor=UserFactory()) == 0  # twice: nothing more
    assert [m.subject for m in mail.outbox] == ["A volunteering shift is cancelled"]
    calendar = str(mail.outbox[0].attachments[0][1])
    assert "STATUS:CANCELLED" in calendar and "SEQUENCE:1" in calendar
    with pytest.raises(ValidationError) as error:
        services.shift_sign_up(volunteer=make_volunteer(), shift=shift)
    assert error.value.code == "cancelled"
