"""A newly approved member signs in from one link: the welcome email's link sets their
password and signs them in, and their address counts as verified."""

import hashlib
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts.models import User, WelcomeLink
from accounts.services import application_approve
from accounts.tests.factories import ApplicationFactory, ChapterFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river stones at dawn"


@pytest.fixture
def approved(db, django_capture_on_commit_callbacks):
    """Approve an application by a new person; return (user, path of the welcome link)."""
    application = ApplicationFactory(chapter=ChapterFactory(), display_name="Robin", email="robin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=application, actor=UserFactory(groups=["Membership"]))
    (welcome,) = [m for m in mail.outbox if m.to == ["robin@example.org"]]
    found = re.search(r"https?://[^/\s]+(/membership/welcome/\S+/)", welcome.body)
    assert found, welcome.body
    return User.objects.get(email="robin@example.org"), found.group(1)


def choose_password(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, {"new_password1": password, "new_password2": password})


def test_the_welcome_link_sets_the_password_and_lands_signed_in_on_the_account_page(client, approved):
    user, path = approved
    page = client.get(path)
    assert page.status_code == 200 and "Choose your password" in page.content.decode()
    response = choose_password(client, path)
    assert response.status_code == 302 and response["Location"] == "/account/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    account = client.get("/account/")
    assert account.status_code == 200 and "Robin" in account.content.decode()


def test_an_approved_members_address_is_verified_so_sign_in_does_not_stop_to_confirm_it(client, approved):
    user, path = approved
    assert EmailAddress.objects.get(user=user, email="robin@example.org").verified
    choose_password(client, path)
    client.logout()
    response = client.post("/accounts/login/", {"login": "robin@example.org", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert not [m for m in mail.outbox if "confirm" in m.subject.lower()]


def test_the_welcome_link_works_once(client, approved):
    user, path = approved
    choose_password(client, path)
    client.logout()
    assert client.get(path).status_code == 410
    again = choose_password(client, path, "someone elses password")
    assert again.status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/account/").status_code == 302  # not signed in by the used link


def test_an_expired_welcome_link_is_refused_and_points_to_the_password_reset(client, approved):
    user, path = approved
    WelcomeLink.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = choose_password(client, path)
    assert response.status_code == 410
    assert "/accounts/password/reset/" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_only_the_hash_of_the_welcome_token_is_stored(approved):
    user, path = approved
    token = path.rstrip("/").rsplit("/", 1)[-1]
    (link,) = WelcomeLink.objects.filter(user=user)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash


def test_a_weak_password_is_refused_with_the_reason_and_the_link_still_works(client, approved):
    user, path = approved
    response = choose_password(client, path, "12345")
    assert response.status_code == 200
    assert "at least 10 characters" in response.content.decode()
    assert choose_password(client, path).status_code == 302


def test_an_account_that_already_has_a_password_is_sent_to_sign_in(db, django_capture_on_commit_callbacks):
    existing = UserFactory(email="kit@example.org")
    application = ApplicationFactory(chapter=ChapterFactory(), email="kit@example.org", user=existing)
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=application, actor=UserFactory(groups=["Membership"]))
    (welcome,) = [m for m in mail.outbox if m.to == ["kit@example.org"]]
    assert "/accounts/login/" in welcome.body and "/membership/welcome/" not in welcome.body
    assert not WelcomeLink.objects.filter(user=existing).exists()


def test_members_approved_before_the_welcome_link_count_their_address_as_verified():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("accounts.migrations.0005_approved_members_addresses_verified")
    user = UserFactory(email="earlier@example.org")
    ApplicationFactory(chapter=ChapterFactory(), email=user.email, user=user, status="approved")
    pending = UserFactory(email="waiting@example.org")
    ApplicationFactory(chapter=ChapterFactory(), email=pending.email, user=pending)
    migration.verify_approved_members_addresses(apps, None)
    assert EmailAddress.objects.get(user=user).verified
    assert not EmailAddress.objects.filter(user=pending).exists()


def test_erasing_a_member_ends_their_unused_welcome_link(client, approved):
    from accounts.services import erasure_confirm, erasure_request

    user, path = approved
    request = erasure_request(user=user, revoke_certificates=False)
    erasure_confirm(request=request, actor=UserFactory(groups=["Membership"]))
    assert not WelcomeLink.objects.filter(user=user).exists()
    assert client.get(path).status_code == 410
