import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.tests.factories import UserFactory


@pytest.mark.django_db
def test_staff_groups_exist_and_may_open_the_admin():
    for name in ["Editors", "Trainers", "Event staff", "Finance", "Membership"]:
        group = Group.objects.get(name=name)
        assert group.permissions.filter(codename="access_admin").exists(), name


@pytest.mark.django_db
def test_email_is_the_login_and_is_case_insensitive_on_creation():
    user = User.objects.create_user(email="Someone@Example.ORG", password="a-long-test-password")
    assert user.email == "someone@example.org"
    assert authenticate(email="someone@example.org", password="a-long-test-password") == user
    assert not hasattr(user, "username") or user.username is None


def test_argon2_is_the_first_password_hasher():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.AUTH_USER_MODEL == "accounts.User"


@pytest.mark.django_db
def test_account_page_needs_sign_in_and_is_never_stored_by_browsers(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    response = client.get("/account/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_sign_up_sends_a_verification_email_and_does_not_sign_in(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {"email": "new.member@example.org", "password1": "correct horse battery", "password2": "correct horse battery"},
    )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.member@example.org"]
    assert client.get("/account/").status_code == 302  # not signed in until verified


@pytest.mark.django_db
def test_sign_up_with_mismatched_passwords_shows_the_error_and_keeps_the_email(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "typo@example.org", "password1": "correct horse battery", "password2": "different horse"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="typo@example.org"' in html
    assert "errorlist" in html


@pytest.mark.django_db
def test_two_factor_setup_is_available_from_the_account(client):
    client.force_login(UserFactory())
    assert 'href="/accounts/2fa/"' in client.get("/account/").content.decode()
    response = client.get("/accounts/2fa/")
    assert response.status_code == 200
    assert "Authenticator" in response.content.decode()
