import pytest
from django.core import mail

from accounts.models import MembershipApplication
from accounts.services import application_approve, application_decline
from accounts.tests.factories import ApplicationFactory, MemberProfileFactory, UserFactory, sign_in_with_second_factor
from core.email import email_send, neutral_sender


@pytest.mark.django_db
def test_every_email_to_a_discreet_member_is_neutral(django_capture_on_commit_callbacks):
    profile = MemberProfileFactory(discreet_mode=True)
    officer = UserFactory(groups=["Membership"])
    application = ApplicationFactory(email=profile.user.email, user=profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=application, actor=officer)
        other = ApplicationFactory(email=profile.user.email, status=MembershipApplication.Status.SUBMITTED)
        application_decline(application=other, actor=officer, message="")
    email_send(
        to=[profile.user.email],
        subject="Your place at Survivor Leadership Day",
        template="form_submission",
        context={"page": None, "answers": [], "submitted_at": None},
    )
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert message.from_email == neutral_sender()
        assert message.subject == "You have a new message"
        assert "network" not in message.body.lower()  # no organisation wording in discreet bodies


@pytest.mark.django_db
def test_emails_to_other_people_keep_their_normal_subject():
    MemberProfileFactory(discreet_mode=False, user__email="open@example.org")
    email_send(
        to=["open@example.org"],
        subject="Your booking",
        template="form_submission",
        context={"page": None, "answers": [], "submitted_at": None},
    )
    assert mail.outbox[0].subject == "Your booking"


@pytest.mark.django_db
def test_discreet_emails_come_from_the_neutral_address_when_one_is_configured(settings):
    settings.DISCREET_FROM_EMAIL = "post@mail-notices.example"
    MemberProfileFactory(discreet_mode=True, user__email="quiet@example.org")
    email_send(
        to=["quiet@example.org"],
        subject="Your booking",
        template="form_submission",
        context={"page": None, "answers": [], "submitted_at": None},
    )
    assert mail.outbox[0].from_email == "Notifications <post@mail-notices.example>"
    assert "thrive" not in mail.outbox[0].from_email.lower()
    mail.outbox.clear()  # the outbox check runs after `settings` is restored, against the default address


@pytest.mark.django_db
def test_staff_must_set_up_two_factor_before_the_admin(client):
    editor = UserFactory(groups=["Editors"])
    client.force_login(editor)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


@pytest.mark.django_db
def test_staff_with_two_factor_must_have_used_it_in_this_session(client):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    editor = UserFactory(groups=["Editors"])
    TOTP.activate(editor, generate_totp_secret())
    client.force_login(editor)  # a password-only sign-in
    response = client.get("/admin/")
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    sign_in_with_second_factor(client, editor)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_members_without_a_staff_role_are_not_asked_for_two_factor(client):
    member = MemberProfileFactory()
    client.force_login(member.user)
    assert client.get("/account/").status_code == 200


@pytest.mark.django_db
def test_only_the_listed_demo_account_is_exempt(client, settings):
    exempt = UserFactory(email="staff@thrive.example", is_superuser=True, is_staff=True)
    other = UserFactory(is_superuser=True, is_staff=True)
    settings.MFA_EXEMPT_EMAILS = ["staff@thrive.example"]
    client.force_login(exempt)
    assert client.get("/admin/").status_code == 200
    client.force_login(other)
    assert client.get("/admin/").status_code == 302


def test_production_and_base_settings_exempt_nobody():
    from config.settings import base

    assert base.MFA_EXEMPT_EMAILS == []


@pytest.mark.django_db
def test_repeated_failed_admin_sign_ins_are_throttled(client, settings):
    user = UserFactory(email="target@example.org", is_staff=True)
    statuses = [
        client.post("/admin/login/", {"username": "target@example.org", "password": "wrong"}).status_code
        for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT + 2)
    ]
    assert statuses[: settings.ADMIN_LOGIN_FAILURE_LIMIT] == [200] * settings.ADMIN_LOGIN_FAILURE_LIMIT
    assert statuses[settings.ADMIN_LOGIN_FAILURE_LIMIT :] == [429, 429]
    # Even the right password waits until the window has passed.
    response = client.post("/admin/login/", {"username": user.email, "password": "a-long-test-password"})
    assert response.status_code == 429


@pytest.mark.django_db
def test_throttle_counts_keep_no_client_address_nor_account(client, settings):
    from core.models import RateCounter

    client.post("/admin/login/", {"username": "x@example.org", "password": "wrong"}, REMOTE_ADDR="203.0.113.77")
    keys = list(RateCounter.objects.values_list("key", flat=True))  # the counts live in the database
    assert keys and not any("203.0.113.77" in key or "x@example.org" in key for key in keys)


@pytest.mark.django_db
def test_repeated_failed_sign_ins_on_the_public_form_are_throttled(client):
    """allauth's default: 5 failures per account per 5 minutes (and 10 per minute per address)."""
    UserFactory(email="someone@example.org")
    pages = [
        client.post("/accounts/login/", {"login": "someone@example.org", "password": "wrong"}).content.decode()
        for _ in range(7)
    ]
    assert not any("Too many failed login attempts" in page for page in pages[:5])
    assert "Too many failed login attempts" in pages[-1]
