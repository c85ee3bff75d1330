"""Volunteering's pages: the public roles page, applying, a volunteer's page and shifts, who
sees whose name, and the staff screens."""

import pytest
from django.urls import reverse

from accounts.tests.factories import MemberProfileFactory, UserFactory, sign_in_with_second_factor
from volunteers.models import NameShown, SignUp, Volunteer
from volunteers.services import shift_sign_up
from volunteers.tests.factories import make_role, make_shift, make_volunteer

pytestmark = pytest.mark.django_db


def test_the_public_page_lists_the_open_roles_and_the_check_each_needs(client):
    make_role("Peer mentor", "dbs_enhanced")
    make_role("Archived role", open_for_applications=False)
    page = client.get("/volunteering/").content.decode()
    assert "Peer mentor" in page and "DBS enhanced check" in page
    assert "Archived role" not in page


def test_applying_needs_an_account_and_sends_a_stranger_to_sign_in(client):
    response = client.get("/volunteering/apply/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_signed_in_person_applies_and_lands_on_their_volunteering_page(client):
    role = make_role()
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/volunteering/apply/",
        {"roles": [role.pk], "name": "Robin Ash", "name_shown": NameShown.HIDDEN, "about": "I like people."},
    )
    assert response.status_code == 302 and response["Location"] == "/volunteering/mine/"
    assert Volunteer.objects.get(user=user).status == Volunteer.Status.APPLIED
    page = client.get("/volunteering/mine/").content.decode()
    assert "Waiting for a decision" in page


def test_an_application_with_errors_keeps_what_was_typed_and_says_what_to_fix(client):
    client.force_login(UserFactory())
    response = client.post(
        "/volunteering/apply/",
        {"roles": [], "name": "Robin Ash", "name_shown": NameShown.CHOSEN, "chosen_name": "", "about": "Kept words"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one role." in page
    assert "Kept words" in page and "Robin Ash" in page
    assert not Volunteer.objects.exists()


def test_script_typed_in_an_application_is_shown_as_text_to_staff(client):
    volunteer = make_volunteer(name="<script>alert(1)</script>")
    volunteer.about = '=HYPERLINK("http://evil.example")<img src=x onerror=alert(2)>'
    volunteer.save()
    officer = UserFactory(groups=["Membership"])
    sign_in_with_second_factor(client, officer)
    page = client.get(f"/admin/volunteers/volunteers/{volunteer.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page


def test_a_shift_is_404_to_a_volunteer_not_approved_for_its_role(client):
    shift = make_shift(role=make_role("Driver"))
    volunteer = make_volunteer(roles=[make_role()])
    client.force_login(volunteer.user)
    assert client.get(f"/volunteering/shifts/{shift.pk}/").status_code == 404
    assert client.post(f"/volunteering/shifts/{shift.pk}/sign-up/").status_code == 404


def test_a_volunteer_signs_up_from_the_shift_page_and_can_cancel(client):
    shift = make_shift(places=2)
    volunteer = make_volunteer()
    client.force_login(volunteer.user)
    assert "2" in client.get(f"/volunteering/shifts/{shift.pk}/").content.decode()
    client.post(f"/volunteering/shifts/{shift.pk}/sign-up/")
    client.post(f"/volunteering/shifts/{shift.pk}/sign-up/")  # a double click
    assert SignUp.objects.filter(shift=shift, status="signed_up").count() == 1
    client.post(f"/volunteering/shifts/{shift.pk}/cancel/")
    assert SignUp.objects.filter(shift=shift, status="signed_up").count() == 0


def test_other_volunteers_see_only_the_names_people_chose_to_show(client):
    shift = make_shift()
    survivor = MemberProfileFactory(display_name="Hidden Survivor")
    hidden = make_volunteer(user=survivor.user, name="Hidden Survivor")
    first = make_volunteer(name="Casey Jones", name_shown=NameShown.FIRST_NAME)
    chosen = make_volunteer(name="Pat Secret", name_shown=NameShown.CHOSEN, chosen_name="Sunny")
    viewer = make_volunteer(name="Viewer Person")
    for volunteer in (hidden, first, chosen, viewer):
        shift_sign_up(volunteer=volunteer, shift=shift)
    client.force_login(viewer.user)
    page = client.get(f"/volunteering/shifts/{shift.pk}/").content.decode()
    assert "Casey" in page and "Jones" not in page
    assert "Sunny" in page and "Pat Secret" not in page
    assert "Hidden Survivor" not in page and "A volunteer" in page


def test_the_calendar_entry_of_a_shift_is_private_and_stable(client):
    shift = make_shift()
    volunteer = make_volunteer()
    shift_sign_up(volunteer=volunteer, shift=shift)
    client.force_login(volunteer.user)
    response = client.get(f"/volunteering/shifts/{shift.pk}/calendar.ics")
    assert response["Cache-Control"] == "no-store"
    assert f"UID:shift-{shift.pk}@thrive" in response.content.decode()


def outcome(response) -> str:
    """200 is shown; 403, or Wagtail's redirect to the admin home ("you do not have
    permission"), is refused."""
    if response.status_code == 200:
        return "shown"
    if response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/"):
        return "refused"
    return f"unexpected {response.status_code}"


@pytest.mark.parametrize(
    ("groups", "volunteers_screen", "shifts_screen"),
    [
        (["Membership"], "shown", "shown"),
        (["Event staff"], "refused", "shown"),
        (["Finance"], "refused", "refused"),
        (["Editors"], "refused", "refused"),
    ],
)
def test_staff_screens_open_only_for_the_roles_that_need_them(client, groups, volunteers_screen, shifts_screen):
    sign_in_with_second_factor(client, UserFactory(groups=groups, is_staff=True))
    assert outcome(client.get(reverse("volunteers_admin:volunteers"))) == volunteers_screen
    assert outcome(client.get(reverse("volunteers_admin:roles"))) == volunteers_screen
    assert outcome(client.get(reverse("volunteers_admin:shifts"))) == shifts_screen


def test_staff_approve_from_the_volunteer_screen(client):
    role = make_role()
    volunteer = make_volunteer(roles=[role], status=Volunteer.Status.APPLIED)
    sign_in_with_second_factor(client, UserFactory(groups=["Membership"], is_staff=True))
    client.post(f"/admin/volunteers/volunteers/{volunteer.pk}/", {"action": "decide", "approved_roles": [role.pk]})
    assert Volunteer.objects.get(pk=volunteer.pk).status == Volunteer.Status.APPROVED


def test_a_shift_typed_with_its_end_before_its_start_is_refused_and_kept(client):
    role = make_role()
    sign_in_with_second_factor(client, UserFactory(groups=["Event staff"], is_staff=True))
    response = client.post(
        "/admin/volunteers/shifts/add/",
        {
            "role": role.pk,
            "title": "Kept title",
            "day": "2031-05-01",
            "start_time": "14:00",
            "end_time": "12:00",
            "time_zone": "Europe/London",
            "place": "Hall",
            "places": "0",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The shift must end after it starts" in page and "Kept title" in page
    assert "greater than or equal to 1" in page


def test_event_staff_cancel_a_shift_from_its_screen_and_the_volunteer_sees_it_cancelled(client):
    shift = make_shift()
    volunteer = make_volunteer()
    shift_sign_up(volunteer=volunteer, shift=shift)
    sign_in_with_second_factor(client, UserFactory(groups=["Event staff"], is_staff=True))
    client.post(f"/admin/volunteers/shifts/{shift.pk}/", {"action": "cancel_shift"})
    assert "This shift is cancelled." in client.get(f"/admin/volunteers/shifts/{shift.pk}/").content.decode()
    client.force_login(volunteer.user)
    assert "Cancelled" in client.get("/volunteering/mine/").content.decode()
