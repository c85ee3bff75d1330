"""The Cohort snippet in the admin: trainers picked by name among trainers, and the trainer
pages' Cohorts screen linking to the add and edit forms for those who may edit cohorts."""

import pytest
from django.contrib.auth.models import Permission

from accounts.tests.factories import MemberProfileFactory, UserFactory, sign_in_with_second_factor
from training.admin_forms import trainer_labels
from training.tests.factories import make_cohort, make_course

pytestmark = pytest.mark.django_db


def trainer_choices(client, url: str) -> dict[str, str]:
    field = client.get(url).context["form"]["trainers"].field
    return {str(value): label for value, label in field.choices}


def test_the_trainer_picker_lists_only_trainers_and_by_name(client):
    named = UserFactory(groups=["Trainers"], first_name="Jo", last_name="Brook")
    by_display_name = MemberProfileFactory(display_name="River", user__first_name="", user__last_name="").user
    by_display_name.groups.add(*named.groups.all())
    nameless = UserFactory(groups=["Trainers"], first_name="", last_name="", email="nameless@staff.example")
    member = MemberProfileFactory(display_name="Not a trainer").user
    finance = UserFactory(groups=["Finance"], first_name="Fin", last_name="Ance")
    sign_in_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    choices = trainer_choices(client, "/admin/snippets/training/cohort/add/")
    assert choices == {str(named.pk): "Jo Brook", str(by_display_name.pk): "River", str(nameless.pk): nameless.email}
    assert str(member.pk) not in choices and str(finance.pk) not in choices
    assert not any(label.startswith("user ") for label in choices.values())


def test_a_trainer_who_left_the_group_stays_on_the_cohorts_they_train(client):
    former = UserFactory(first_name="Former", last_name="Trainer")
    cohort = make_cohort(make_course(modules=0), trainers=[former])
    sign_in_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    choices = trainer_choices(client, f"/admin/snippets/training/cohort/edit/{cohort.pk}/")
    assert choices == {str(former.pk): "Former Trainer"}


def test_two_trainers_with_one_name_are_told_apart_without_more_personal_data():
    first, second = (UserFactory(first_name="Sam", last_name="Lee") for _ in range(2))
    labels = trainer_labels([first, second])
    assert labels == {first.pk: f"Sam Lee (account {first.pk})", second.pk: f"Sam Lee (account {second.pk})"}


def test_the_cohorts_screen_links_to_add_and_edit_only_for_those_who_may_edit_cohorts(client):
    cohort = make_cohort(make_course(modules=0))
    add, edit = "/admin/snippets/training/cohort/add/", f"/admin/snippets/training/cohort/edit/{cohort.pk}/"
    sign_in_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    html = client.get("/admin/training/cohorts/").content.decode()
    assert f'href="{add}"' in html and f'href="{edit}"' in html
    assert f'href="{edit}"' in client.get(f"/admin/training/cohorts/{cohort.pk}/").content.decode()
    client.logout()
    membership = UserFactory(groups=["Membership"])
    sign_in_with_second_factor(client, membership)
    html = client.get("/admin/training/cohorts/").content.decode()
    assert add not in html and edit not in html  # read-only for Membership
    membership.user_permissions.add(*Permission.objects.filter(codename__in=["add_cohort", "change_cohort"]))
    client.logout()
    sign_in_with_second_factor(client, membership)
    html = client.get("/admin/training/cohorts/").content.decode()
    assert f'href="{add}"' in html and f'href="{edit}"' in html


def test_saving_a_cohort_lands_on_the_listing(client):
    course = make_course(modules=0)
    trainer = UserFactory(groups=["Trainers"], first_name="Jo", last_name="Brook")
    sign_in_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        "/admin/snippets/training/cohort/add/",
        {
            "course": course.pk,
            "name": "Autumn evenings",
            "time_zone": "Europe/London",
            "starts_on": "2027-09-01",
            "ends_on": "2027-10-01",
            "capacity": "12",
            "trainers": [trainer.pk],
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
            "sessions-MIN_NUM_FORMS": "0",
            "sessions-MAX_NUM_FORMS": "1000",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/snippets/training/cohort/"
    assert list(course.cohorts.get(name="Autumn evenings").trainers.all()) == [trainer]


@pytest.mark.parametrize(
    "snippet", ["cms/chapter", "cms/partnerorganisation", "training/cohort", "certificates/certificatetemplate"]
)
def test_editors_add_and_edit_the_content_snippets_but_cannot_delete_a_cohort(client, snippet):
    cohort = make_cohort(make_course(modules=0))
    sign_in_with_second_factor(client, UserFactory(groups=["Editors"]))
    assert client.get(f"/admin/snippets/{snippet}/").status_code == 200
    assert client.get(f"/admin/snippets/{snippet}/add/").status_code == 200
    assert client.get(f"/admin/snippets/training/cohort/edit/{cohort.pk}/").status_code == 200
    assert client.get(f"/admin/snippets/training/cohort/delete/{cohort.pk}/").status_code in (302, 403)
