"""Certificates in the Wagtail admin: the template snippets (listing, preview button, saving,
placeholder rules) and the staff screen that finds a certificate by code to revoke or reissue it."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.tests.factories import MemberProfileFactory, UserFactory, sign_in_with_second_factor
from accounts.tests.test_access_matrix import classify
from certificates.models import Certificate, CertificateTemplate
from certificates.placeholders import fill_placeholders, placeholder_problems
from certificates.rendering import certificate_context
from certificates.services import certificate_issue
from core.models import AuditEvent
from training.models import Enrolment
from training.tests.factories import enrol, make_cohort, make_course, make_learner

pytestmark = pytest.mark.django_db

SNIPPET_LISTINGS = [
    "/admin/snippets/training/cohort/",
    "/admin/snippets/cms/chapter/",
    "/admin/snippets/cms/partnerorganisation/",
    "/admin/snippets/certificates/certificatetemplate/",
]


@pytest.fixture
def superuser_client(client):
    sign_in_with_second_factor(client, UserFactory(is_superuser=True, is_staff=True))
    return client


def template_form_data(**overrides) -> dict:
    return {
        "name": "Workshop attendance",
        "title": "Certificate of attendance",
        "body": "This is to certify that {name} attended {course} on {date} ({hours} hours).",
        "accent_colour": "#5b2a86",
        "orientation": "landscape",
        "language": "en-GB",
        "signatories-TOTAL_FORMS": "0",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "3",
    } | overrides


@pytest.mark.parametrize("listing", SNIPPET_LISTINGS)
def test_every_snippet_listing_opens(superuser_client, listing):
    template = CertificateTemplate.objects.create(name="Course completion")
    response = superuser_client.get(listing)
    assert response.status_code == 200
    if "certificatetemplate" in listing:
        assert f'href="/admin/certificates/templates/{template.pk}/preview/"' in response.content.decode()


def test_the_preview_button_is_shown_only_to_roles_the_preview_admits(client):
    template = CertificateTemplate.objects.create(name="Course completion")
    preview = f"/admin/certificates/templates/{template.pk}/preview/"
    for groups, shown in ((["Editors"], True), (["Membership"], True), (["Finance"], False)):
        from certificates.wagtail_hooks import preview_button

        buttons = list(preview_button(template, UserFactory(groups=groups)))
        assert [b.url for b in buttons] == ([preview] if shown else [])


def test_saving_a_certificate_template_lands_on_the_listing_once(superuser_client):
    response = superuser_client.post(
        "/admin/snippets/certificates/certificatetemplate/add/", template_form_data(), follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/snippets/certificates/certificatetemplate/"
    assert CertificateTemplate.objects.filter(name="Workshop attendance").count() == 1


@pytest.mark.parametrize(
    "body",
    [
        "{name.__class__}",
        "{hours:X>2000000}",
        "{name!r} finished",
        "{0} finished",
        "{} finished",
        "{course[0]}",
        "Well done {nmae}",
        "A lone { brace",
        "A lone } brace",
    ],
)
def test_template_text_accepts_only_the_four_plain_placeholders_with_a_clear_error(superuser_client, body):
    response = superuser_client.post(
        "/admin/snippets/certificates/certificatetemplate/add/", template_form_data(body=body)
    )
    assert response.status_code == 200  # the form again, not saved
    assert not CertificateTemplate.objects.filter(name="Workshop attendance").exists()
    errors = response.context["form"].errors["body"]
    assert any("{name}, {course}, {date} and {hours}" in e or "brace" in e for e in errors), errors


def test_plain_placeholders_and_doubled_braces_are_accepted():
    assert placeholder_problems("{name} finished {course} on {date} ({hours} hours) {{not a placeholder}}") == []
    assert placeholder_problems("x" * 1001) == ["Keep the text under 1000 characters (it has 1001)."]


def test_a_stored_template_with_format_tricks_is_printed_as_typed_never_evaluated(settings):
    """Rows saved before the form refused them still render: the tricks come out as text."""
    template = CertificateTemplate.objects.create(
        name="Old", body="{name} {name.__class__} {hours:X>2000000} {{braces}} {hours}"
    )
    holder = MemberProfileFactory(certificate_name="Ada Quill")
    certificate = Certificate.objects.create(
        recipient=holder.user,
        source_key="test:1",
        kind=Certificate.Kind.COURSE,
        title="Course",
        awarded_on=date(2027, 3, 3),
        hours=Decimal("12"),
        template=template,
        name_printed="Ada Quill",
    )
    body = certificate_context(certificate)["body"]
    assert body == "Ada Quill {name.__class__} {hours:X>2000000} {braces} 12"
    assert fill_placeholders("{name}", {"name": "{course}", "course": "x"}) == "{course}"  # values are not re-read


def test_the_model_refuses_format_tricks_too():
    template = CertificateTemplate(name="x", body="{hours:X>2000000}")
    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert "body" in raised.value.message_dict


# The staff screen ------------------------------------------------------------------------


def course_certificate(*, trainer=None, discreet=False):
    cohort = make_cohort(make_course(modules=0, hours=3), trainers=[trainer] if trainer else [])
    learner = make_learner()
    if discreet:
        learner.member_profile.discreet_mode = True
        learner.member_profile.save()
    enrolment = enrol(learner, cohort, status=Enrolment.Status.COMPLETED)
    return certificate_issue(
        recipient=learner, source=enrolment, title="Telling your story", awarded_on=date(2027, 3, 3), hours=3
    )


def test_membership_finds_a_certificate_by_its_code_as_typed(client):
    certificate = course_certificate()
    sign_in_with_second_factor(client, UserFactory(groups=["Membership"]))
    typed = certificate.code.replace("-", " ").lower()
    response = client.get("/admin/certificates/find/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == f"/admin/certificates/{certificate.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert certificate.code in page and "Revoke certificate" in page and "Reissue certificate" in page
    missing = client.get("/admin/certificates/find/", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert "No certificate AAAA-BBBB-CCCC-DDDD that you can manage" in missing.content.decode()


def test_revoking_from_the_staff_screen_records_the_reason_and_tells_the_holder(
    client, django_capture_on_commit_callbacks
):
    certificate = course_certificate()
    officer = UserFactory(groups=["Membership"], first_name="Officer", last_name="Ode")
    sign_in_with_second_factor(client, officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/certificates/{certificate.pk}/revoke/",
            {"revoke-reason": "Issued to the wrong cohort", "confirm": "yes"},
        )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.state == "revoked" and certificate.revoked_reason == "Issued to the wrong cohort"
    assert certificate.revoked_by == officer
    event = AuditEvent.objects.get(action="certificate.revoked")
    assert event.actor == officer and event.object_id == str(certificate.pk)
    [message] = mail.outbox
    assert message.to == [certificate.recipient.email]
    assert "withdrawn" in message.subject and "Issued to the wrong cohort" in message.body
    assert "Revoked on" in client.get(f"/admin/certificates/{certificate.pk}/").content.decode()
    assert "Revoked" in client.get(f"/verify/{certificate.code}/").content.decode()


def test_revoking_asks_for_confirmation_first_and_only_confirm_yes_revokes(client):
    certificate = course_certificate()
    sign_in_with_second_factor(client, UserFactory(groups=["Membership"]))
    url = f"/admin/certificates/{certificate.pk}/revoke/"
    mail.outbox.clear()
    for extra in ({}, {"confirm": "no"}):
        response = client.post(url, {"revoke-reason": "Issued to the wrong cohort", **extra})
        page = response.content.decode()
        assert response.status_code == 200 and "Revoke this certificate?" in page
        assert "cannot be undone" in page and 'name="confirm" value="yes"' in page
        assert "Issued to the wrong cohort" in page  # the reason, to check before confirming
        assert f'href="/admin/certificates/{certificate.pk}/"' in page  # keep it
    certificate.refresh_from_db()
    assert certificate.state == "valid" and mail.outbox == []
    response = client.post(url, {"revoke-reason": "Issued to the wrong cohort", "confirm": "yes"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.state == "revoked" and certificate.revoked_reason == "Issued to the wrong cohort"


def test_revoking_or_reissuing_without_a_reason_is_refused_in_words(client):
    certificate = course_certificate()
    sign_in_with_second_factor(client, UserFactory(groups=["Membership"]))
    for action in ("revoke", "reissue"):
        response = client.post(f"/admin/certificates/{certificate.pk}/{action}/", {f"{action}-reason": "  "})
        assert response.status_code == 400
        assert "Say why, in a few words" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.state == "valid"


def test_reissuing_from_the_staff_screen_keeps_the_reason_and_sends_the_new_certificate(
    client, django_capture_on_commit_callbacks
):
    certificate = course_certificate()
    certificate.recipient.member_profile.certificate_name = "Corrected Name"
    certificate.recipient.member_profile.save()
    officer = UserFactory(groups=["Membership"])
    sign_in_with_second_factor(client, officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/certificates/{certificate.pk}/reissue/", {"reissue-reason": "Name misspelt"})
    new = Certificate.objects.get(replaces=certificate)
    assert response["Location"] == f"/admin/certificates/{new.pk}/"
    certificate.refresh_from_db()
    assert certificate.state == "replaced" and certificate.revoked_reason == "Name misspelt"
    assert certificate.revoked_by == officer and new.name_printed == "Corrected Name"
    assert AuditEvent.objects.get(action="certificate.reissued").details == {"replaces": certificate.pk}
    [message] = mail.outbox
    assert message.subject.startswith("Your new certificate") and "Name misspelt" in message.body
    assert certificate.code in message.body and message.attachments[0][0] == "certificate.pdf"


def test_the_revocation_email_to_a_discreet_holder_names_nothing(client, django_capture_on_commit_callbacks):
    certificate = course_certificate(discreet=True)
    sign_in_with_second_factor(client, UserFactory(groups=["Membership"]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/certificates/{certificate.pk}/revoke/", {"revoke-reason": "Duplicate", "confirm": "yes"})
    [message] = mail.outbox
    assert message.subject == "You have a new message"
    assert "Telling your story" not in message.body and certificate.code not in message.body


def test_trainers_manage_only_their_own_learners_certificates_and_other_staff_none(client):
    trainer = UserFactory(groups=["Trainers"])
    own = course_certificate(trainer=trainer)
    other = course_certificate(trainer=UserFactory(groups=["Trainers"]))
    sign_in_with_second_factor(client, trainer)
    assert client.get(f"/admin/certificates/{own.pk}/").status_code == 200
    assert client.get(f"/admin/certificates/{other.pk}/").status_code == 404
    assert client.post(f"/admin/certificates/{other.pk}/revoke/", {"revoke-reason": "x"}).status_code == 404
    found = client.get("/admin/certificates/find/", {"code": other.code})
    assert found.status_code == 200 and "that you can manage" in found.content.decode()
    for group in ("Event staff", "Finance", "Editors"):
        client.logout()
        sign_in_with_second_factor(client, UserFactory(groups=[group]))
        assert classify(client.get("/admin/certificates/find/")) == "refused"
        assert classify(client.post(f"/admin/certificates/{own.pk}/revoke/", {"revoke-reason": "x"})) == "refused"
    other.refresh_from_db()
    own.refresh_from_db()
    assert own.state == "valid" and other.state == "valid"
