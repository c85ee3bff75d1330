"""Nobody can lock a person out by typing wrong passwords for their email (issue 13, item 11):
failed sign-ins are limited per address and account together, so the owner signs in from
their own device, the guessing address is refused, and staff are told once per window."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.23"
PASSWORD = "a-long-test-password"  # UserFactory's


def victim(**extra):
    user = UserFactory(email="victim@example.org", **extra)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def site_sign_in(client, password, address):
    return client.post("/accounts/login/", {"login": "victim@example.org", "password": password}, REMOTE_ADDR=address)


def admin_sign_in(client, password, address):
    return client.post("/admin/login/", {"username": "victim@example.org", "password": password}, REMOTE_ADDR=address)


def staff_notices():
    return [message for message in mail.outbox if "failed sign-ins" in message.subject.lower()]


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_of_the_site(client, settings):
    user = victim()
    pages = [site_sign_in(client, "wrong-password", ATTACKER).content.decode() for _ in range(7)]
    assert not any("Too many failed login attempts" in page for page in pages[:5])
    assert all("Too many failed login attempts" in page for page in pages[5:])
    # The guessing address stays refused, even with the right password.
    response = site_sign_in(client, PASSWORD, ATTACKER)
    assert response.status_code == 200 and "Too many failed login attempts" in response.content.decode()
    # The owner, from their own device, signs in.
    response = site_sign_in(client, PASSWORD, OWNER)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_of_the_admin_sign_in(client, settings):
    user = victim(is_staff=True, is_superuser=True)
    statuses = [admin_sign_in(client, "wrong-password", ATTACKER).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    assert admin_sign_in(client, PASSWORD, ATTACKER).status_code == 429
    response = admin_sign_in(client, PASSWORD, OWNER)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_one_address_spraying_many_accounts_at_the_admin_is_refused(client, settings):
    settings.ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    statuses = [
        client.post(
            "/admin/login/", {"username": f"someone{n}@example.org", "password": "x"}, REMOTE_ADDR=ATTACKER
        ).status_code
        for n in range(8)
    ]
    assert statuses == [200] * 6 + [429] * 2


def test_staff_are_told_once_of_repeated_failures_with_ids_and_no_password(client, settings):
    user = victim(is_staff=True)
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        for _ in range(3):
            site_sign_in(client, "guess-hunter2-password", address)
    for _ in range(3):
        admin_sign_in(client, "guess-hunter2-password", "203.0.113.4")
    notices = staff_notices()
    assert len(notices) == 1
    notice = notices[0]
    assert notice.to == [settings.STAFF_NOTIFICATION_EMAIL]
    assert f"user {user.pk}" in notice.body and f"/admin/users/edit/{user.pk}/" in notice.body
    for secret in ("guess-hunter2-password", "victim@example.org", "203.0.113"):
        assert secret not in notice.body and secret not in notice.subject


def test_failures_for_an_address_with_no_account_tell_no_one(client):
    for _ in range(8):
        client.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong"}, REMOTE_ADDR=ATTACKER)
    assert staff_notices() == []


def test_wagtails_own_front_end_sign_in_is_not_a_way_round_allauth(client):
    """Wagtail's /_util/login/ (a bare Django LoginView for private pages) signed in an account
    whose address was never verified, outside the failed-password limits. It now sends people
    to allauth's sign-in, keeping where they were going, and signs nobody in itself."""
    UserFactory(email="unverified@example.org")  # no verified EmailAddress
    answer = client.post("/_util/login/?next=/private/", {"username": "unverified@example.org", "password": PASSWORD})
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=/private/"
    assert "_auth_user_id" not in client.session
    assert client.get("/_util/login/").status_code == 302


def test_a_private_page_sends_visitors_to_allauths_sign_in(client, demo_site):
    from wagtail.models import Page, PageViewRestriction

    private = demo_site.root_page.add_child(instance=Page(title="Members' notes", slug="members-notes"))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    answer = client.get(private.url)
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/?next=")
