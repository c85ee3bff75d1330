"""Expense claims: receipts are images or PDFs only, size-limited, their content matching their
name, stored privately and served only to the member and Finance; every bad upload is refused
in words with nothing stored."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import ChapterFactory, StaffFactory
from voices.models import Engagement, ExpenseClaim
from voices.services.expenses import expense_claim_submit
from voices.tests.factories import make_engagement, make_member, make_opportunity, make_request

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RECEIPTS = "private/voices/receipts"


def image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format=kind)
    return buffer.getvalue()


def stored_receipts() -> list[str]:
    """Every file under the receipts folder of the (in-memory) default storage."""
    found = []

    def walk(folder):
        try:
            folders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            return
        found.extend(f"{folder}/{name}" for name in files)
        for name in folders:
            walk(f"{folder}/{name}")

    walk(RECEIPTS)
    return found


def claim_url(engagement):
    return reverse("voices:expense_new", args=[engagement.pk])


def post_claim(client, engagement, upload, amount="12.50"):
    data = {"description": "Train ticket", "amount_minor": amount, "receipt": upload}
    return client.post(claim_url(engagement), data)


@pytest.fixture
def engagement():
    return make_engagement(make_opportunity())


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("ticket.pdf", PDF, "application/pdf"),
        ("ticket.png", image_bytes("PNG"), "image/png"),
        ("ticket.JPG", image_bytes("JPEG"), "image/jpeg"),
    ],
)
def test_a_good_receipt_is_stored_privately_in_the_engagements_currency(
    client, engagement, name, content, content_type
):
    before = stored_receipts()
    client.force_login(engagement.member)
    response = post_claim(client, engagement, SimpleUploadedFile(name, content))
    assert response.status_code == 302
    claim = ExpenseClaim.objects.get()
    assert (claim.amount_minor, claim.currency, claim.receipt_type) == (1250, "GBP", content_type)
    assert claim.receipt.name.startswith(f"{RECEIPTS}/{engagement.pk}/") and "ticket" not in claim.receipt.name
    assert len(stored_receipts()) == len(before) + 1
    page = client.get(reverse("voices:engagement", args=[engagement.pk])).content.decode()
    assert "Train ticket" in page and "£12.50" in page


def test_the_amount_is_in_the_chapters_currency():
    us = ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")
    engagement = make_engagement(make_opportunity(request=make_request(chapter=us)))
    claim = expense_claim_submit(
        member=engagement.member,
        engagement=engagement,
        description="Taxi",
        amount_minor=2000,
        receipt=SimpleUploadedFile("taxi.pdf", PDF),
    )
    assert claim.currency == "USD"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "Upload a photo (JPEG or PNG) or a PDF"),
        ("receipt.pdf", b"Total: 12.50 GBP\nThank you for travelling", "does not match its name (.pdf)"),
        ("receipt.pdf", image_bytes("PNG"), "does not match its name (.pdf)"),
        ("receipt.png", b"\x89PNG\r\n\x1a\n" + b"not really an image" * 10, "does not match its name (.png)"),
        ("receipt.jpg", image_bytes("PNG"), "does not match its name (.jpg)"),
        ("receipt", PDF, "Upload a photo (JPEG or PNG) or a PDF"),
    ],
)
def test_a_receipt_that_is_not_a_true_image_or_pdf_is_refused_and_nothing_is_stored(
    client, engagement, name, content, message
):
    before = stored_receipts()
    client.force_login(engagement.member)
    response = post_claim(client, engagement, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExpenseClaim.objects.exists()
    assert stored_receipts() == before


def test_an_oversized_receipt_is_refused_with_the_limit_and_nothing_is_stored(client, engagement, settings):
    settings.VOICES_RECEIPT_MAX_BYTES = 1024 * 1024
    before = stored_receipts()
    client.force_login(engagement.member)
    response = post_claim(client, engagement, SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024)))
    assert response.status_code == 200
    assert "too large: the limit is 1 megabyte" in response.content.decode()
    assert not ExpenseClaim.objects.exists() and stored_receipts() == before


def test_a_missing_amount_or_description_is_refused_with_nothing_stored(client, engagement):
    before = stored_receipts()
    client.force_login(engagement.member)
    response = client.post(
        claim_url(engagement), {"description": "", "amount_minor": "", "receipt": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 200
    assert not ExpenseClaim.objects.exists() and stored_receipts() == before


def test_no_claim_before_confirming_or_when_expenses_are_not_covered(client):
    offered = make_engagement(make_opportunity(), status=Engagement.Status.OFFERED)
    uncovered = make_engagement(make_opportunity(request=make_request(expenses_covered=False)))
    for engagement, message in (
        (offered, "once you have confirmed"),
        (uncovered, "does not cover expenses"),
    ):
        client.force_login(engagement.member)
        page = client.get(claim_url(engagement)).content.decode()
        assert message in page and 'type="file"' not in page
        post_claim(client, engagement, SimpleUploadedFile("a.pdf", PDF))
        with pytest.raises(ValidationError):
            expense_claim_submit(
                member=engagement.member,
                engagement=engagement,
                description="Bus",
                amount_minor=100,
                receipt=SimpleUploadedFile("a.pdf", PDF),
            )
    assert not ExpenseClaim.objects.exists()


def test_a_member_cannot_claim_on_someone_elses_engagement(client, engagement):
    client.force_login(make_member())
    assert post_claim(client, engagement, SimpleUploadedFile("a.pdf", PDF)).status_code == 404
    assert not ExpenseClaim.objects.exists()


def test_the_receipt_is_served_only_to_its_member_and_finance(client, engagement):
    claim = expense_claim_submit(
        member=engagement.member,
        engagement=engagement,
        description="Train",
        amount_minor=1250,
        receipt=SimpleUploadedFile("train.png", image_bytes("PNG")),
    )
    url = reverse("voices:expense_receipt", args=[claim.pk])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    for person in (make_member(), StaffFactory(groups=["Membership"])):
        client.force_login(person)
        assert client.get(url).status_code == 404
    for person in (engagement.member, StaffFactory(groups=["Finance"]), StaffFactory(is_superuser=True)):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == f'attachment; filename="receipt-{claim.pk}.png"'
        assert response["Cache-Control"] == "no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
