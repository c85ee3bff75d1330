"""allauth's emails (password reset, address confirmation, change of address, security
notices) go through core.email.email_send: discreet mode holds, and the words are ours."""

import re
from pathlib import Path

import allauth
import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from accounts.adapter import ACCOUNT_EMAILS
from accounts.tests.factories import MemberProfileFactory, UserFactory
from core.email import neutral_sender

PASSWORD = "a-long-test-password"  # UserFactory's


def member(email: str, *, discreet: bool, name: str = "Robin"):
    profile = MemberProfileFactory(user__email=email, display_name=name, discreet_mode=discreet)
    EmailAddress.objects.create(user=profile.user, email=email, verified=True, primary=True)
    return profile.user


def link(message, prefix: str) -> str:
    found = re.search(rf"https?://[^/\s]+({re.escape(prefix)}\S+)", message.body)
    assert found, message.body
    return found.group(1)


def assert_neutral(message) -> None:
    assert message.from_email == neutral_sender()
    assert message.subject == settings.DISCREET_SUBJECT
    assert "Thrive" not in message.body and "Robin" not in message.body


def assert_ours(message) -> None:
    """Our wording, never allauth's stock text ("Hello from", "user user 9")."""
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Hello from" not in message.body and "user " not in message.body
    assert "Thank you for using" not in message.body


def sign_in(client, email: str) -> None:
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_every_email_the_installed_allauth_can_send_has_our_wording():
    templates = Path(allauth.__file__).parent / "templates"
    prefixes = {
        str(path.relative_to(templates)).removesuffix("_subject.txt")
        for folder in ("account/email", "mfa/email")
        for path in (templates / folder).glob("*_subject.txt")
    }
    assert prefixes, "allauth's email templates were not found"
    assert sorted(prefixes - set(ACCOUNT_EMAILS)) == []


@pytest.mark.django_db
def test_a_password_reset_for_a_discreet_member_comes_from_the_neutral_sender_with_the_neutral_subject(client):
    member("quiet@example.org", discreet=True)
    client.post("/accounts/password/reset/", {"email": "quiet@example.org"})
    (message,) = mail.outbox
    assert message.to == ["quiet@example.org"]
    assert_neutral(message)
    assert "Password Reset" not in message.body
    # The link in it still works.
    response = client.get(link(message, "/accounts/password/reset/key/"), follow=True)
    assert response.status_code == 200 and 'name="password1"' in response.content.decode()


@pytest.mark.django_db
def test_a_password_reset_for_a_member_uses_our_subject_and_greets_them_by_display_name(client):
    member("robin@example.org", discreet=False)
    client.post("/accounts/password/reset/", {"email": "robin@example.org"})
    (message,) = mail.outbox
    assert message.subject == "Choose a new password"
    assert message.body.startswith("Hello Robin,")
    assert_ours(message)


@pytest.mark.django_db
def test_a_password_reset_for_an_address_without_an_account_is_always_neutral(client):
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    (message,) = mail.outbox
    assert message.from_email == neutral_sender() and message.subject == settings.DISCREET_SUBJECT
    assert "no account" in message.body


@pytest.mark.django_db
def test_the_sign_up_confirmation_is_in_our_words_without_a_user_number(client):
    client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": "correct horse battery", "password2": "correct horse battery"},
    )
    (message,) = mail.outbox
    assert message.subject == "Confirm your email address"
    assert message.body.startswith("Hello,\n")
    assert_ours(message)
    response = client.post(link(message, "/accounts/confirm-email/"))
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.org").verified


@pytest.mark.django_db
def test_confirming_in_the_browser_that_signed_up_signs_in_and_goes_on_where_the_person_was_going(client):
    """The volunteering page's "Create one" carries ?next= to its form: after the email link the
    person is signed in there, not left at an empty sign-in page."""
    password = "correct horse battery"
    client.post(
        "/accounts/signup/?next=/volunteering/apply/",
        {"email": "new@example.org", "password1": password, "password2": password, "next": "/volunteering/apply/"},
    )
    (message,) = mail.outbox
    response = client.post(link(message, "/accounts/confirm-email/"))
    assert response.status_code == 302 and response.url == "/volunteering/apply/"
    assert client.session.get("_auth_user_id") == str(EmailAddress.objects.get(email="new@example.org").user_id)


@pytest.mark.django_db
def test_a_confirmation_link_opened_in_another_browser_confirms_but_does_not_sign_in(client):
    """A forwarded or intercepted link must not be a way in: only the session that signed up
    is signed in by it."""
    from django.test import Client

    password = "correct horse battery"
    client.post("/accounts/signup/", {"email": "new@example.org", "password1": password, "password2": password})
    (message,) = mail.outbox
    elsewhere = Client()
    response = elsewhere.post(link(message, "/accounts/confirm-email/"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert EmailAddress.objects.get(email="new@example.org").verified
    assert "_auth_user_id" not in elsewhere.session


def _change_address(client, old: str, new: str) -> None:
    sign_in(client, old)
    client.post("/accounts/email/", {"action_add": "", "email": new})
    confirmation = mail.outbox[-1]
    assert confirmation.to == [new]
    client.post(link(confirmation, "/accounts/confirm-email/"))
    assert EmailAddress.objects.get(email=new).verified
    client.post("/accounts/email/", {"action_primary": "", "email": new})


@pytest.mark.django_db
def test_a_discreet_members_change_of_address_is_neutral_to_the_new_and_to_the_old_address(client):
    user = member("quiet@example.org", discreet=True)
    _change_address(client, "quiet@example.org", "elsewhere@example.org")
    user.refresh_from_db()
    assert user.email == "elsewhere@example.org"
    to_new = [m for m in mail.outbox if m.to == ["elsewhere@example.org"]]
    to_old = [m for m in mail.outbox if m.to == ["quiet@example.org"]]
    assert to_new and to_old
    for message in to_new + to_old:
        assert_neutral(message)
    # The old inbox is told of the change but never learns the new address.
    assert all("elsewhere" not in message.body for message in to_old)


@pytest.mark.django_db
def test_a_members_change_of_address_is_confirmed_and_noticed_in_our_words(client):
    user = member("robin@example.org", discreet=False)
    _change_address(client, "robin@example.org", "robin.new@example.org")
    user.refresh_from_db()
    assert user.email == "robin.new@example.org"
    confirmation = next(m for m in mail.outbox if m.to == ["robin.new@example.org"])
    notice = next(m for m in mail.outbox if m.to == ["robin@example.org"])
    assert confirmation.subject == "Confirm your email address"
    assert confirmation.body.startswith("Hello Robin,")
    assert notice.subject == "Your sign-in address was changed"
    assert "robin.new" not in notice.body
    for message in (confirmation, notice):
        assert_ours(message)


@pytest.mark.django_db
def test_security_notices_leave_out_the_ip_address_and_browser(client):
    member("robin@example.org", discreet=False)
    sign_in(client, "robin@example.org")
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "another long password", "password2": "another long password"},
        HTTP_USER_AGENT="TestBrowser/1.0",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    (notice,) = mail.outbox
    assert notice.subject == "Your password was changed"
    assert "203.0.113.7" not in notice.body and "TestBrowser" not in notice.body
    assert_ours(notice)


@pytest.mark.django_db
def test_staff_get_no_greeting_by_their_account_name():
    from accounts.adapter import greeting_name

    assert greeting_name(UserFactory(first_name="Dana", last_name="Staff")) == ""


@pytest.mark.django_db
def test_turning_on_two_factor_sends_a_neutral_notice_to_a_discreet_member(client, django_capture_on_commit_callbacks):
    import time

    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value

    member("quiet@example.org", discreet=True)
    sign_in(client, "quiet@example.org")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    notice = next(m for m in mail.outbox if m.to == ["quiet@example.org"])
    assert_neutral(notice)
    assert "authenticator app was set up" in notice.body


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/password/reset/", "/accounts/signup/"])
def test_an_address_whose_domain_email_cannot_carry_is_refused_in_words_not_a_500(client, path):
    """Found by the hostile-input fuzz: a right-to-left override in the domain passed Django's
    validator and failed when the email was built (UnicodeEncodeError, a 500)."""
    email = "a@exa\u202emple.org"
    data = {"email": email, "password1": "correct horse battery", "password2": "correct horse battery"}
    response = client.post(path, data)
    assert response.status_code == 200
    assert "its part after @ has characters no email system accepts" in response.content.decode()
    assert mail.outbox == []


def test_the_shared_email_field_refuses_the_same_address():
    from django import forms

    from core.forms import EmailField

    field = EmailField()
    with pytest.raises(forms.ValidationError):
        field.clean("a@exa\u202emple.org")
    assert field.clean("ana@münchen.example") == "ana@münchen.example"  # a real IDN domain is fine
