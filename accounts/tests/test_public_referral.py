"""Issue 19 part 5: anyone may refer a survivor, with the survivor's agreement, through the
public form: the same neutral invitation as a partner's, one at a time per address and never
again after a "no", the same answer whatever happened, and limited per visitor."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Referral
from accounts.tests.factories import ChapterFactory, UserFactory
from accounts.tests.test_membership_flows import link_in
from core.forms import HONEYPOT_FIELD

pytestmark = pytest.mark.django_db

URL = "/membership/refer/"


def refer(client, capture, email: str, **extra):
    data = {"email": email, "consent": "on", **extra}
    with capture(execute=True):
        return client.post(URL, data)


def test_a_visitor_refers_a_survivor_who_gets_the_same_neutral_invitation(client, django_capture_on_commit_callbacks):
    page = client.get(URL).content.decode()
    assert 'name="email"' in page and 'name="consent"' in page and HONEYPOT_FIELD in page
    response = refer(
        client,
        django_capture_on_commit_callbacks,
        " Someone@Example.org ",
        relationship="support worker",
        note="Met at the drop-in",
    )
    assert response.status_code == 302 and response["Location"] == "/membership/refer/thank-you/"
    referral = Referral.objects.get()
    assert referral.source == Referral.Source.PUBLIC and referral.organisation is None
    assert referral.email == "someone@example.org" and referral.relationship == "support worker"
    invitation = mail.outbox[-1]
    assert invitation.to == ["someone@example.org"]
    assert invitation.from_email.startswith("Notifications <") and invitation.subject == "You have a new message"
    assert "Someone who supports you" in invitation.body
    path = link_in(invitation, "/membership/invitation/")
    page = client.get(path).content.decode()
    assert "Someone who supports you thinks you might like to join" in page
    assert "nobody will be told what you answered" in page
    response = client.post(path, {"answer": "accept"})
    assert response.status_code == 302 and response["Location"] == "/membership/apply/"
    client.post(
        "/membership/apply/",
        {
            "display_name": "Ash",
            "email": "safer@example.org",
            "contact_method": "email",
            "chapter": ChapterFactory().pk,
        },
    )
    referral.refresh_from_db()
    assert referral.application.email == "safer@example.org"


def test_the_form_answers_the_same_and_sends_nothing_more_while_an_invitation_is_open(
    client, django_capture_on_commit_callbacks
):
    first = refer(client, django_capture_on_commit_callbacks, "twice@example.org")
    sent = len(mail.outbox)
    again = refer(client, django_capture_on_commit_callbacks, "TWICE@example.org")
    assert (first.status_code, first["Location"]) == (again.status_code, again["Location"])
    assert Referral.objects.filter(email="twice@example.org").count() == 1
    assert len(mail.outbox) == sent  # no second email to pester them with
    thanks = client.get(again["Location"]).content.decode()
    assert "If they have not already been invited" in thanks


def test_an_address_that_said_no_is_never_invited_again_through_the_form(client, django_capture_on_commit_callbacks):
    refer(client, django_capture_on_commit_callbacks, "no@example.org")
    path = link_in(mail.outbox[-1], "/membership/invitation/")
    client.post(path, {"answer": "decline"})
    assert Referral.objects.get().status == Referral.Status.DECLINED
    sent = len(mail.outbox)
    response = refer(client, django_capture_on_commit_callbacks, "no@example.org")
    assert response.status_code == 302
    assert Referral.objects.count() == 1 and len(mail.outbox) == sent
    # An invitation that simply expired does not block a new one.
    refer(client, django_capture_on_commit_callbacks, "later@example.org")
    Referral.objects.filter(email="later@example.org").update(expires_at=timezone.now() - timedelta(days=1))
    refer(client, django_capture_on_commit_callbacks, "later@example.org")
    assert Referral.objects.filter(email="later@example.org").count() == 2


def test_the_answer_does_not_depend_on_whether_the_address_has_an_account(client, django_capture_on_commit_callbacks):
    UserFactory(email="member@example.org")
    known = refer(client, django_capture_on_commit_callbacks, "member@example.org")
    unknown = refer(client, django_capture_on_commit_callbacks, "nobody@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "someone@example.org"}, "Refer someone only with their agreement."),
        ({"email": "not an address", "consent": "on"}, "Enter a valid email address."),
        ({"email": "someone@example.org", "consent": "on", "relationship": "x" * 121}, "at most 120 characters"),
    ],
)
def test_bad_input_gets_a_clear_error_and_keeps_what_was_typed(client, data, message):
    response = client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert Referral.objects.count() == 0 and mail.outbox == []
    assert data["email"] in page


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_sent(client, django_capture_on_commit_callbacks):
    response = refer(client, django_capture_on_commit_callbacks, "robot@example.org", **{HONEYPOT_FIELD: "spam"})
    assert response.status_code == 302 and response["Location"] == "/membership/refer/thank-you/"
    assert Referral.objects.count() == 0 and mail.outbox == []


def test_many_referrals_from_one_visitor_are_paused_with_the_answers_kept(
    client, settings, django_capture_on_commit_callbacks
):
    settings.FORM_RATE_LIMIT = 3
    for number in range(3):
        assert refer(client, django_capture_on_commit_callbacks, f"p{number}@example.org").status_code == 302
    response = refer(client, django_capture_on_commit_callbacks, "p9@example.org", note="kept note")
    page = response.content.decode()
    assert response.status_code == 429
    assert "We have received several referrals from you" in page
    assert "p9@example.org" in page and "kept note" in page
    assert not Referral.objects.filter(email="p9@example.org").exists()
