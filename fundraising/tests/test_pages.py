"""Fundraising pages: made by a signed-in supporter, public only once approved (404 before and
once hidden, the photo too), edited with re-approval of what the public reads; bad input
refused in words with nothing lost; donors' messages shown only once approved, as text."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory, sign_in_with_second_factor
from fundraising.models import FundraisingPage, Gift
from fundraising.services import gift_start, message_review, page_approve, page_hide, page_update
from fundraising.tests.factories import make_campaign, make_page, make_team, noisy_png, photo_upload

pytestmark = pytest.mark.django_db


def _form(campaign, **overrides):
    data = {
        "title": "Swim for safety",
        "fundraiser_name": "Jo",
        "story": "I will swim a mile.",
        "target_minor": "250",
        "ends_on": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        "sponsored": "on",
        "team": "",
        "new_team_name": "",
    }
    return data | overrides


def _received_gift(page, **fields) -> Gift:
    """A gift as payments would have reported it (the paid path is in test_gifts.py)."""
    values = {"amount_minor": 1000, "currency": page.currency, "status": Gift.Status.RECEIVED} | fields
    return Gift.objects.create(page=page, received_at=timezone.now(), **values)


def test_a_supporter_makes_a_page_that_waits_for_approval_in_a_new_team(client):
    campaign = make_campaign()
    supporter = UserFactory()
    client.force_login(supporter)
    response = client.post(
        f"/fundraising/new/{campaign.pk}/", _form(campaign, new_team_name="Fast Fins", photo=photo_upload())
    )
    page = FundraisingPage.objects.get()
    assert response.status_code == 302
    assert (page.owner, page.status, page.target_minor, page.team.name) == (supporter, "pending", 25000, "Fast Fins")


def test_the_owner_sees_a_waiting_for_approval_banner_and_the_public_gets_404(client):
    page = make_page(approved=False)
    assert client.get(f"/fundraising/{page.pk}/").status_code == 404
    assert client.get(f"/fundraising/{page.pk}/photo/").status_code == 404
    client.force_login(page.owner)
    response = client.get(f"/fundraising/{page.pk}/")
    assert response.status_code == 200
    assert "Waiting for approval." in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_a_hidden_page_answers_404_to_the_public_and_to_another_supporter(client):
    page = page_hide(page=make_page(), actor=None)
    assert client.get(f"/fundraising/{page.pk}/").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/fundraising/{page.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("target_minor", "0", "more than £0.00"),
        ("target_minor", "-5", "cannot be negative"),
        ("ends_on", "2020-01-01", "today or later"),
    ],
)
def test_a_bad_target_or_end_date_is_refused_in_words_and_what_was_typed_is_kept(client, field, value, words):
    campaign = make_campaign()
    client.force_login(UserFactory())
    response = client.post(f"/fundraising/new/{campaign.pk}/", _form(campaign, **{field: value}))
    html = response.content.decode()
    assert response.status_code == 400
    assert words in html
    assert "I will swim a mile." in html
    assert FundraisingPage.objects.count() == 0


def test_a_text_file_named_jpg_is_refused_as_not_a_photo(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    campaign = make_campaign()
    client.force_login(UserFactory())
    fake = SimpleUploadedFile("me.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post(f"/fundraising/new/{campaign.pk}/", _form(campaign, photo=fake))
    assert response.status_code == 400
    assert "not a photo we can use" in response.content.decode()
    assert FundraisingPage.objects.count() == 0


def test_an_oversized_photo_is_refused_with_the_limit(client, settings):
    settings.FUNDRAISING_PHOTO_MAX_BYTES = 1024 * 1024
    campaign = make_campaign()
    client.force_login(UserFactory())
    big = noisy_png(1200)  # about 4 MB: noise does not compress
    response = client.post(f"/fundraising/new/{campaign.pk}/", _form(campaign, photo=big))
    assert response.status_code == 400
    assert "the limit is 1 MB" in response.content.decode()


def test_the_stored_photo_is_a_new_jpeg_without_exif_location():
    from PIL import Image

    page = make_page(photo=photo_upload(exif_gps=True))
    with page.photo.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
    assert page.photo.name.startswith("private/fundraising/photos/")


def test_script_in_a_story_and_a_message_is_shown_as_text(client):
    page = make_page(story="<script>alert('story')</script>")
    gift = _received_gift(page, display="full_name", donor_name="<b>Eve</b>", message="<script>alert('m')</script>")
    message_review(gift=gift, actor=None, approve=True)
    html = client.get(f"/fundraising/{page.pk}/").content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;story&#x27;)" in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html


def test_a_donor_message_appears_only_once_approved(client):
    page = make_page()
    gift = _received_gift(page, message="Well done you", message_status=Gift.MessageStatus.PENDING)
    assert "Well done you" not in client.get(f"/fundraising/{page.pk}/").content.decode()
    message_review(gift=gift, actor=None, approve=True)
    assert "Well done you" in client.get(f"/fundraising/{page.pk}/").content.decode()


def test_donors_appear_as_they_chose_full_name_first_name_or_anonymous(client):
    page = make_page()
    _received_gift(page, display="full_name", donor_name="Grace Hopper")
    _received_gift(page, display="first_name", donor_name="Alan Turing")
    _received_gift(page, display="anonymous", donor_name="")
    html = client.get(f"/fundraising/{page.pk}/").content.decode()
    assert "Grace Hopper" in html
    assert "Alan" in html and "Turing" not in html
    assert "Anonymous" in html


def test_the_owner_pages_never_show_a_donor_email(client, localstripe, django_capture_on_commit_callbacks):
    from fundraising.tests.factories import give

    page = make_page()
    with django_capture_on_commit_callbacks(execute=True):
        give(page, email="secret.donor@example.org")
    client.force_login(page.owner)
    for path in (f"/fundraising/{page.pk}/", "/fundraising/mine/", "/account/"):
        assert "secret.donor" not in client.get(path).content.decode()


def test_editing_the_story_of_an_approved_page_sends_it_back_for_approval():
    page = make_page()
    page = page_update(page=page, actor=page.owner, story="A new story")
    assert page.status == FundraisingPage.Status.PENDING


def test_editing_only_the_target_of_an_approved_page_keeps_it_public():
    page = make_page()
    page = page_update(page=page, actor=page.owner, target_minor=90000)
    assert (page.status, page.target_minor) == (FundraisingPage.Status.APPROVED, 90000)


def test_a_team_of_another_campaign_cannot_be_joined(client):
    campaign = make_campaign()
    other_team = make_team(campaign=make_campaign(slug="other"), name="Elsewhere")
    client.force_login(UserFactory())
    response = client.post(f"/fundraising/new/{campaign.pk}/", _form(campaign, team=str(other_team.pk)))
    assert response.status_code == 400
    assert FundraisingPage.objects.count() == 0


def test_a_team_page_shows_its_members_public_pages_and_total(client):
    team = make_team()
    shown = make_page(team=team, campaign=team.campaign, title="Shown page")
    make_page(team=team, campaign=team.campaign, title="Waiting page", approved=False)
    _received_gift(shown, amount_minor=1234)
    html = client.get(f"/fundraising/teams/{team.pk}/").content.decode()
    assert "Shown page" in html and "Waiting page" not in html
    assert "£12.34" in html


def test_communications_approves_a_page_and_it_becomes_public(client):
    page = make_page(approved=False)
    sign_in_with_second_factor(client, UserFactory(groups=["Communications"]))
    response = client.post(f"/admin/fundraising/pages/{page.pk}/", {"action": "approve"})
    assert response.status_code == 302
    client.logout()
    assert client.get(f"/fundraising/{page.pk}/").status_code == 200


def test_finance_may_read_the_page_review_but_not_approve(client):
    page = make_page(approved=False)
    sign_in_with_second_factor(client, UserFactory(groups=["Finance"]))
    assert client.get(f"/admin/fundraising/pages/{page.pk}/").status_code == 200
    refused = client.post(f"/admin/fundraising/pages/{page.pk}/", {"action": "approve"})
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")  # Wagtail's refusal
    page.refresh_from_db()
    assert page.status == FundraisingPage.Status.PENDING


def test_the_gifts_export_quotes_a_formula_in_a_message_and_holds_no_email(client):
    page = make_page(title='=HYPERLINK("http://x")')
    _received_gift(
        page, message="=1+1", message_status=Gift.MessageStatus.PENDING, donor_name="@Eve", display="full_name"
    )
    sign_in_with_second_factor(client, UserFactory(groups=["Finance"]))
    response = client.get("/admin/fundraising/gifts.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][4] == "'@Eve"
    assert rows[1][9] == "'=1+1"
    assert "@example" not in response.content.decode()


def test_a_gift_form_with_a_name_choice_but_no_name_is_refused_and_keeps_the_amount(client):
    page = make_page()
    response = client.post(
        f"/fundraising/{page.pk}/",
        {
            "preset": "",
            "other_amount": "12.50",
            "email": "a@b.example",
            "display": "full_name",
            "donor_name": "",
            "form_token": "abc123",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Type your name, or choose to give anonymously." in html
    assert 'value="12.50"' in html
    assert Gift.objects.count() == 0


def test_a_page_approved_then_hidden_keeps_counting_its_gifts_for_the_campaign_only_through_payments():
    page = make_page()
    page_approve(page=page, actor=None)
    order = gift_start(page=page, form_token="tok-1", email="x@y.example", amount_minor=500, display="anonymous")
    assert order.lines.get().item_reference == f"fundraising:{Gift.objects.get().pk}"
    assert order.lines.get().sponsored_event is True


def test_the_same_page_form_sent_twice_makes_one_page(client):
    campaign = make_campaign()
    client.force_login(UserFactory())
    first = client.post(f"/fundraising/new/{campaign.pk}/", _form(campaign))
    second = client.post(f"/fundraising/new/{campaign.pk}/", _form(campaign))
    assert first["Location"] == second["Location"]
    assert FundraisingPage.objects.count() == 1
