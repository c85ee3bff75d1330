"""A fundraiser's erasure (the personal-data contract): their page is hidden with its words,
name and photo gone (the file deleted once the erasure commits), and its gifts still count."""

import pytest
from django.db import transaction

from accounts.erasure import erase_member
from fundraising.models import FundraisingPage, Gift
from fundraising.selectors import page_totals
from fundraising.tests.factories import make_page, photo_upload

pytestmark = pytest.mark.django_db


def test_an_erased_fundraiser_s_page_is_hidden_its_photo_deleted_and_its_total_kept(
    client, django_capture_on_commit_callbacks
):
    page = make_page(photo=photo_upload(), story="My story", fundraiser_name="Jo Bloggs")
    Gift.objects.create(page=page, amount_minor=700, currency="GBP", status=Gift.Status.RECEIVED)
    storage, name = page.photo.storage, page.photo.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        erase_member(user=page.owner, old_email=page.owner.email, revoke_certificates=False)
    page = FundraisingPage.objects.get(pk=page.pk)
    assert (page.status, page.story, page.fundraiser_name, page.photo.name) == ("hidden", "", "", "")
    assert not storage.exists(name)
    assert page_totals(page)["raised_minor"] == 700
    assert client.get(f"/fundraising/{page.pk}/").status_code == 404
