"""A member's name never appears publicly without consent; export is complete; erasure is."""

import json

import pytest
from django.apps import apps
from django.db import models
from wagtail.models import Page

from accounts.erasure import erased_email
from accounts.export import member_export, rows_referring_to
from accounts.models import Consent, ErasureRequest
from accounts.services import (
    consent_set,
    erasure_confirm,
    erasure_request,
    profile_update,
    referral_create,
)
from accounts.tests.factories import (
    ApplicationFactory,
    ChapterFactory,
    MemberProfileFactory,
    PartnerContactFactory,
    StaffFactory,
    UserFactory,
)
from core.personal_data import acting_staff_fields

UNIQUE_NAME = "Quillfeather Zanthorpe"


def public_urls() -> list[str]:
    pages = [page.url for page in Page.objects.live().public().specific() if page.url]
    return pages + ["/membership/alumni/", "/membership/apply/", "/search/?q=member"]


def pages_showing_name(client) -> list[str]:
    client.logout()
    client.cookies.clear()
    found = [url for url in public_urls() if UNIQUE_NAME in client.get(url).content.decode()]
    # The search page repeats the query; what matters is that it finds nothing by that name.
    for query in (UNIQUE_NAME, "Quillfeather"):
        if "0 results" not in client.get("/search/", {"q": query}).content.decode():
            found.append(f"/search/?q={query}")
    return found


@pytest.mark.django_db
def test_without_consent_the_name_appears_on_no_public_page(client, demo_site):
    MemberProfileFactory(display_name=UNIQUE_NAME, certificate_name=UNIQUE_NAME, legal_name=UNIQUE_NAME)
    urls = public_urls()
    assert len(urls) >= 10
    assert pages_showing_name(client) == []


@pytest.mark.django_db
def test_with_alumni_consent_the_name_appears_only_on_the_alumni_list(client, demo_site):
    profile = MemberProfileFactory(display_name=UNIQUE_NAME)
    consent_set(profile=profile, consent=Consent.LIST_AS_ALUMNUS, given=True, actor=profile.user)
    assert pages_showing_name(client) == ["/membership/alumni/"]
    consent_set(profile=profile, consent=Consent.LIST_AS_ALUMNUS, given=False, actor=profile.user)
    assert pages_showing_name(client) == []
    assert [(e.consent, e.given) for e in profile.consent_events.all()] == [
        ("list_as_alumnus", True),
        ("list_as_alumnus", False),
    ]


@pytest.fixture
def member_with_history(db):
    """A member whose name and email are spread over every kind of row we keep."""
    profile = MemberProfileFactory(
        display_name=UNIQUE_NAME,
        certificate_name=UNIQUE_NAME,
        legal_name=f"{UNIQUE_NAME} Legal",
        pronouns="they/them",
        chapter=ChapterFactory(),
    )
    user = profile.user
    user.first_name = "Quillfeather"
    user.last_name = "Zanthorpe"
    user.save()
    profile_update(profile=profile, actor=user, access_needs=f"Step-free access, ask for {UNIQUE_NAME}")
    consent_set(profile=profile, consent=Consent.SHOW_NAME_ON_VERIFICATION, given=True, actor=user)
    contact = PartnerContactFactory()
    referral_create(contact=contact, email=user.email, note=f"Referred {UNIQUE_NAME}")
    # The application that made them a member (application_submit stores nothing for an
    # address that is already a member's: issue 23).
    ApplicationFactory(
        display_name=UNIQUE_NAME,
        email=user.email,
        contact_method="phone",
        contact_details="07700 900123",
        chapter=profile.chapter,
        user=user,
        status="approved",
    )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return profile


@pytest.mark.django_db
def test_the_export_holds_every_row_that_refers_to_the_member(member_with_history):
    user = member_with_history.user
    export = member_export(user)
    expected: dict[str, set] = {}
    staff_acting = acting_staff_fields()  # the staff who acted on someone else's row: not followed
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                (field.many_to_one or field.one_to_one)
                and field.concrete
                and f"{model._meta.label}.{field.name}" not in staff_acting
            ):
                target = {"accounts.User": user, "accounts.MemberProfile": member_with_history}.get(
                    field.related_model._meta.label if field.related_model else ""
                )
                if target is not None:
                    pks = model._default_manager.filter(**{field.name: target}).values_list("pk", flat=True)
                    expected.setdefault(model._meta.label, set()).update(pks)
    expected = {label: pks for label, pks in expected.items() if pks}
    for label, pks in expected.items():
        assert {row["id"] for row in export[label]} >= pks, label
    # Rows found by email address, not by key: the referral and the application.
    assert export["accounts.Referral"][0]["note"] == f"Referred {UNIQUE_NAME}"
    assert export["accounts.MembershipApplication"][0]["contact_details"] == "07700 900123"
    assert export["accounts.MemberProfile"][0]["legal_name"] == f"{UNIQUE_NAME} Legal"
    assert {"accounts.ConsentEvent", "core.AuditEvent", "account.EmailAddress"} <= set(export)
    assert all("password" not in row for row in export["accounts.User"])
    assert all("token_hash" not in row for row in export["accounts.Referral"])


def text_columns_containing(needle: str) -> list[str]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                lookup = f"{field.attname}__icontains"
                if isinstance(field, models.JSONField):
                    matches = [
                        pk
                        for pk, value in model._default_manager.values_list("pk", field.attname)
                        if needle.lower() in str(value).lower()
                    ]
                else:
                    matches = list(model._default_manager.filter(**{lookup: needle}).values_list("pk", flat=True))
                if matches:
                    found.append(f"{model._meta.label}.{field.name} {matches}")
    return found


@pytest.mark.django_db
def test_after_erasure_no_text_column_holds_the_name_or_email(client, member_with_history):
    user = member_with_history.user
    email = user.email
    assert text_columns_containing("Zanthorpe")  # the scan finds it before erasure
    request = erasure_request(user=user, revoke_certificates=False)
    officer = UserFactory(groups=["Membership"])
    erasure_confirm(request=request, actor=officer)

    assert text_columns_containing("Zanthorpe") == []
    assert text_columns_containing("Quillfeather") == []
    assert text_columns_containing(email) == []
    assert text_columns_containing("07700 900123") == []
    user.refresh_from_db()
    assert user.email == erased_email("user", user.pk)
    assert not user.is_active and not user.has_usable_password()
    assert not client.login(email=email, password="a-long-test-password")
    assert ErasureRequest.objects.get(pk=request.pk).status == ErasureRequest.Status.COMPLETED
    assert rows_referring_to(user)  # the pseudonymised rows remain, with no personal data


@pytest.mark.django_db
def test_erasure_cannot_be_confirmed_twice(member_with_history):
    from django.core.exceptions import ValidationError

    request = erasure_request(user=member_with_history.user, revoke_certificates=True)
    officer = UserFactory(groups=["Membership"])
    erasure_confirm(request=request, actor=officer)
    with pytest.raises(ValidationError):
        erasure_confirm(request=request, actor=officer)


@pytest.mark.django_db
def test_membership_staff_confirm_erasure_from_the_admin(client, member_with_history):
    from accounts.tests.factories import sign_in_with_second_factor

    request = erasure_request(user=member_with_history.user, revoke_certificates=False)
    officer = UserFactory(groups=["Membership"])
    sign_in_with_second_factor(client, officer)
    page = client.get("/admin/membership/erasure/").content.decode()
    assert UNIQUE_NAME in page
    confirm_url = f"/admin/membership/erasure/{request.pk}/"
    assert f'href="{confirm_url}"' in page
    assert client.post(confirm_url, {"confirm": "yes"}).status_code == 302
    assert text_columns_containing("Zanthorpe") == []


@pytest.mark.django_db
def test_erase_is_a_confirmation_page_listing_what_goes_and_what_stays_and_only_yes_erases(client, member_with_history):
    from accounts.tests.factories import sign_in_with_second_factor

    request = erasure_request(user=member_with_history.user, revoke_certificates=True)
    sign_in_with_second_factor(client, UserFactory(groups=["Membership"]))
    listing = client.get("/admin/membership/erasure/").content.decode()
    assert "Erase now" not in listing and "<button" not in listing.split('class="listing"')[1].split("</table>")[0]
    confirm_url = f"/admin/membership/erasure/{request.pk}/"
    page = client.get(confirm_url).content.decode()
    for words in ("Erased for good", "Kept", "payment records", "audit log", "Revoke them.", "Yes, erase this member"):
        assert words in page, words
    # The old one-click form, a POST without confirm=yes, or with another value: the page again, nothing erased.
    client.post("/admin/membership/erasure/", {"request": request.pk})
    for data in ({}, {"confirm": "no"}):
        response = client.post(confirm_url, data)
        assert response.status_code == 200 and "Yes, erase this member" in response.content.decode()
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.REQUESTED and text_columns_containing("Zanthorpe")
    assert client.post(confirm_url, {"confirm": "yes"})["Location"] == "/admin/membership/erasure/"
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.COMPLETED and text_columns_containing("Zanthorpe") == []
    assert "already handled" in client.get(confirm_url).content.decode()


@pytest.mark.django_db
def test_the_erasure_confirmation_says_certificates_are_kept_without_a_name_when_the_member_chose_that(
    client, member_with_history
):
    from accounts.tests.factories import sign_in_with_second_factor

    request = erasure_request(user=member_with_history.user, revoke_certificates=False)
    sign_in_with_second_factor(client, UserFactory(groups=["Membership"]))
    page = client.get(f"/admin/membership/erasure/{request.pk}/").content.decode()
    assert "Keep them without a name." in page and "Revoke them." not in page


@pytest.mark.django_db
def test_a_staff_member_s_own_export_holds_none_of_the_people_they_acted_for():
    staff = StaffFactory(groups=["Membership"])
    ApplicationFactory(email="applicant.acted.for@example.org", decided_by=staff)
    ErasureRequest.objects.create(user=MemberProfileFactory().user, handled_by=staff)

    export = member_export(staff)

    assert not {"accounts.MembershipApplication", "accounts.ErasureRequest"} & set(export)
    assert "applicant.acted.for@example.org" not in json.dumps(export, default=str)
