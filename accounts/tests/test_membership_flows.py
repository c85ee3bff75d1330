import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from accounts.models import MemberProfile, MembershipApplication, Referral
from accounts.services import referral_create
from accounts.tests.factories import (
    ApplicationFactory,
    ChapterFactory,
    MemberProfileFactory,
    PartnerContactFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from core.models import AuditEvent


def link_in(message, prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(prefix)}[^\s]+)", message.body)
    assert match, message.body
    return match.group(1)


def invite(contact, email: str) -> tuple[Referral, str]:
    """referral_create with its invitation emailed (the task makes the link): the referral and
    the token in the link."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        referral = referral_create(contact=contact, email=email, note="")
    path = link_in(mail.outbox[-1], "/membership/invitation/")
    return referral, path.removeprefix("/membership/invitation/").strip("/")


@pytest.fixture
def chapter(db):
    return ChapterFactory()


@pytest.mark.django_db
def test_an_application_is_stored_acknowledged_and_queued_for_staff(
    client, chapter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/membership/apply/",
            {"display_name": "Kit", "email": "Kit@Example.org", "contact_method": "email", "chapter": chapter.pk},
            follow=True,
        )
    assert response.redirect_chain == [("/membership/apply/thank-you/", 302)]
    assert response.status_code == 200
    application = MembershipApplication.objects.get()
    assert application.email == "kit@example.org"
    assert application.status == MembershipApplication.Status.SUBMITTED
    to_applicant, to_staff = mail.outbox
    assert to_applicant.to == ["kit@example.org"]
    assert "Kit" not in to_staff.body and "kit@example.org" not in to_staff.body  # staff email holds no details
    status_path = link_in(to_applicant, "/membership/application/")
    assert "Waiting for review" in client.get(status_path).content.decode()


@pytest.mark.django_db
def test_application_errors_are_shown_by_the_fields_and_keep_the_answers(client, chapter):
    response = client.post("/membership/apply/", {"display_name": "Kit", "email": "nope", "contact_method": "phone"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Kit"' in html and 'value="nope"' in html
    assert 'id="id_email_error"' in html and 'id="id_chapter_error"' in html
    assert "Add the number we should use" in html
    assert MembershipApplication.objects.count() == 0


def _visible(response) -> str:
    """The page's text as a visitor sees it, without the form's one-time tokens."""
    html = response.content.decode()
    return re.sub(r'name="(csrfmiddlewaretoken)" value="[^"]*"', r'name="\1"', html)


@pytest.mark.django_db
def test_a_second_application_answers_as_the_first_stores_nothing_and_emails_the_owner_its_link(
    client, chapter, django_capture_on_commit_callbacks
):
    data = {"display_name": "Kit", "email": "kit@example.org", "contact_method": "email", "chapter": chapter.pk}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/membership/apply/", data, REMOTE_ADDR="192.0.2.1")
    first_link = link_in(mail.outbox[0], "/membership/application/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/membership/apply/", data | {"display_name": "Stranger"}, REMOTE_ADDR="192.0.2.2")
    assert (again.status_code, _visible(again)) == (first.status_code, _visible(first))
    assert "already" not in again.content.decode()
    assert MembershipApplication.objects.count() == 1
    assert MembershipApplication.objects.get().display_name == "Kit"  # the stranger's answers were not kept
    (notice,) = mail.outbox  # to the owner only: no second staff notification
    assert notice.to == ["kit@example.org"]
    assert "still waiting" in notice.body and "Stranger" not in notice.body
    new_link = link_in(notice, "/membership/application/")
    assert "Waiting for review" in client.get(new_link).content.decode()
    assert client.get(first_link).status_code == 404  # one working link, the newest
    assert AuditEvent.objects.filter(action="application.repeated").count() == 1


@pytest.mark.django_db
def test_applying_with_a_members_address_answers_as_any_application_and_emails_the_member_how_to_sign_in(
    client, chapter, django_capture_on_commit_callbacks
):
    member = MemberProfileFactory(user=UserFactory(email="member@example.org"), discreet_mode=True)
    data = {"display_name": "Kit", "contact_method": "email", "chapter": chapter.pk}
    stranger = client.post("/membership/apply/", data | {"email": "nobody@example.org"}, REMOTE_ADDR="192.0.2.1")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/membership/apply/", data | {"email": "Member@Example.org"}, REMOTE_ADDR="192.0.2.2")
    assert (known.status_code, _visible(known)) == (stranger.status_code, _visible(stranger))
    assert not MembershipApplication.objects.filter(email="member@example.org").exists()
    (notice,) = mail.outbox
    assert notice.to == [member.user.email]
    assert "/accounts/login/" in notice.body and "/accounts/password/reset/" in notice.body
    assert "network" not in notice.body  # discreet mode: neutral words (sender and subject: conftest)


@pytest.mark.django_db
def test_an_erased_members_old_address_applies_like_anyone(client, chapter, django_capture_on_commit_callbacks):
    from accounts.erasure import erase_member

    user = UserFactory(email="gone@example.org")
    MemberProfileFactory(user=user)
    erase_member(user=user, old_email="gone@example.org", revoke_certificates=False)
    data = {"display_name": "Kit", "email": "gone@example.org", "contact_method": "email", "chapter": chapter.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/membership/apply/", data, follow=True)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert MembershipApplication.objects.filter(email="gone@example.org").count() == 1
    assert "/membership/application/" in mail.outbox[0].body


@pytest.mark.django_db
def test_staff_approve_creates_the_member_and_emails_them(client, chapter, django_capture_on_commit_callbacks):
    application = ApplicationFactory(chapter=chapter, display_name="Robin", email="robin@example.org")
    officer = UserFactory(groups=["Membership"])
    sign_in_with_second_factor(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/membership/applications/{application.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    profile = MemberProfile.objects.get(user__email="robin@example.org")
    assert profile.display_name == "Robin" and profile.chapter == chapter
    assert mail.outbox[-1].to == ["robin@example.org"]
    assert "/membership/welcome/" in mail.outbox[-1].body  # one link: password and sign-in
    assert AuditEvent.objects.filter(action="application.approved", actor=officer).exists()
    # A double click (second POST) changes nothing and says why.
    again = client.post(f"/admin/membership/applications/{application.pk}/", {"decision": "approve"})
    assert again.status_code == 200 and "already approved" in again.content.decode()
    assert MemberProfile.objects.filter(user__email="robin@example.org").count() == 1


@pytest.mark.django_db
def test_staff_can_ask_for_more_information_and_the_applicant_answers(
    client, chapter, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(chapter=chapter)
    officer = UserFactory(groups=["Membership"])
    sign_in_with_second_factor(client, officer)
    missing = client.post(f"/admin/membership/applications/{application.pk}/", {"decision": "more_info"})
    assert "Write the question" in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/membership/applications/{application.pk}/",
            {"decision": "more_info", "message": "Which city are you in?"},
        )
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.MORE_INFO
    status_path = link_in(mail.outbox[-1], "/membership/application/")
    client.logout()
    assert "Which city are you in?" in client.get(status_path).content.decode()
    client.post(status_path, {"reply": "Leeds"})
    application.refresh_from_db()
    assert application.applicant_reply == "Leeds"
    assert application.status == MembershipApplication.Status.SUBMITTED


@pytest.mark.django_db
def test_referral_accept_then_apply_links_the_application(client, chapter, django_capture_on_commit_callbacks):
    contact = PartnerContactFactory()
    client.force_login(contact.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/partners/referrals/new/", {"email": "survivor@example.org", "note": "Met at the drop-in", "consent": "on"}
        )
    assert response.status_code == 302
    invitation = mail.outbox[-1]
    assert invitation.from_email.startswith("Notifications <")
    assert invitation.subject == "You have a new message"
    assert contact.organisation.name not in invitation.subject
    path = link_in(invitation, "/membership/invitation/")
    client.logout()
    assert contact.organisation.name in client.get(path).content.decode()
    response = client.post(path, {"answer": "accept"})
    assert response.status_code == 302 and response["Location"] == "/membership/apply/"
    assert 'value="survivor@example.org"' in client.get("/membership/apply/").content.decode()
    client.post(
        "/membership/apply/",
        {"display_name": "Ash", "email": "safer@example.org", "contact_method": "email", "chapter": chapter.pk},
    )
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.application.email == "safer@example.org"
    client.force_login(contact.user)
    assert "Accepted" in client.get("/partners/referrals/").content.decode()


@pytest.mark.django_db
def test_referral_needs_the_survivors_agreement(client):
    contact = PartnerContactFactory()
    client.force_login(contact.user)
    response = client.post("/partners/referrals/new/", {"email": "survivor@example.org"})
    assert "only with their agreement" in response.content.decode()
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_referring_an_address_again_resends_the_open_invitation_and_stores_nothing_new(
    client, django_capture_on_commit_callbacks
):
    contact = PartnerContactFactory()
    other = PartnerContactFactory()
    first, first_token = invite(contact, "twice@example.org")
    client.force_login(contact.user)
    data = {"email": "Twice@Example.org", "consent": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/partners/referrals/new/", data, follow=True)
    assert "The invitation is on its way" in response.content.decode()
    assert Referral.objects.filter(email="twice@example.org").count() == 1
    resent = link_in(mail.outbox[-1], "/membership/invitation/")
    assert mail.outbox[-1].to == ["twice@example.org"]
    assert client.get(resent).status_code == 200
    assert client.get(f"/membership/invitation/{first_token}/").status_code == 404  # the newest link only
    # Another organisation's referral is its own (its partner sees its status).
    invite(other, "twice@example.org")
    assert Referral.objects.filter(email="twice@example.org").count() == 2


@pytest.mark.django_db
def test_declining_an_invitation_is_final_and_visible_to_the_partner_only_as_a_status(client):
    contact = PartnerContactFactory()
    referral, token = invite(contact, "s@example.org")
    response = client.post(f"/membership/invitation/{token}/", {"answer": "decline"})
    assert "will not contact you" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED


@pytest.mark.django_db
def test_used_and_expired_invitations_give_a_clear_page_and_change_nothing(client):
    contact = PartnerContactFactory()
    used, used_token = invite(contact, "a@example.org")
    client.post(f"/membership/invitation/{used_token}/", {"answer": "decline"})
    expired, expired_token = invite(contact, "b@example.org")
    Referral.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    for token, expected in [(used_token, "already been answered"), (expired_token, "has expired")]:
        for method in ("get", "post"):
            response = getattr(client, method)(f"/membership/invitation/{token}/", {"answer": "accept"})
            assert response.status_code == 410
            assert expected in response.content.decode()
    used.refresh_from_db()
    expired.refresh_from_db()
    assert used.status == Referral.Status.DECLINED
    assert expired.status == Referral.Status.INVITED  # expiry is stated, not written, by a GET or POST here
    assert MembershipApplication.objects.count() == 0


@pytest.mark.django_db
def test_a_tampered_token_gives_404_and_changes_nothing(client):
    contact = PartnerContactFactory()
    referral, token = invite(contact, "c@example.org")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/membership/invitation/{tampered}/").status_code == 404
    assert client.post(f"/membership/invitation/{tampered}/", {"answer": "accept"}).status_code == 404
    assert client.get(f"/membership/application/{tampered}/").status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.INVITED


@pytest.mark.django_db
def test_a_member_edits_their_profile_and_sets_discreet_mode(client, chapter):
    from accounts.tests.factories import MemberProfileFactory

    profile = MemberProfileFactory(chapter=chapter)
    client.force_login(profile.user)
    response = client.post(
        "/account/profile/",
        {
            "display_name": "New name",
            "certificate_name": "Full Certificate Name",
            "chapter": chapter.pk,
            "contact_method": "email",
            "access_needs": "Large print",
            "discreet_mode": "on",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.discreet_mode and profile.display_name == "New name"
    assert profile.name_for_certificates == "Full Certificate Name"
    assert profile.access_needs_updated_at is not None
    empty = client.post("/account/profile/", {"display_name": "", "contact_method": "email"})
    assert empty.status_code == 200 and 'id="id_display_name_error"' in empty.content.decode()
