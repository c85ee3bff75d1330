"""Signing out, by any route, tells the browser to forget what the site kept on the device
(the offline door's list and queue, its service worker, cached pages): issue 21's "cleared
when staff sign out", whichever sign-out staff use."""

import re

import pytest

from accounts.tests.factories import StaffFactory, UserFactory, sign_in_with_second_factor
from core.middleware import SIGN_OUT_CLEARS

pytestmark = pytest.mark.django_db


def test_the_sites_sign_out_clears_the_device(client):
    client.force_login(UserFactory())
    assert "Clear-Site-Data" not in client.get("/accounts/logout/").headers  # only the answer that signs out
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == SIGN_OUT_CLEARS == '"cache", "storage"'
    assert "_auth_user_id" not in client.session


def test_the_admins_sign_out_clears_the_device(client):
    sign_in_with_second_factor(client, StaffFactory(groups=["Event staff"]))
    assert client.get("/admin/").status_code == 200
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == SIGN_OUT_CLEARS
    assert "_auth_user_id" not in client.session


def test_a_sign_out_by_someone_not_signed_in_clears_nothing(client):
    """Nobody signed out, so nothing is cleared (a stray POST is not a way to wipe a device)."""
    response = client.post("/accounts/logout/")
    assert "Clear-Site-Data" not in response.headers


def test_every_site_page_and_the_admin_load_the_sign_out_question(client):
    """The question about unsent door scans goes with every sign-out form: the site's pages
    and the admin (its menu's Log out)."""
    client.force_login(UserFactory())
    page = client.get("/accounts/logout/").content.decode()  # allauth's sign-out page
    assert re.search(r'<form method="post"\s+action="/accounts/logout/">', page)
    question = 'data-unsent="Door scans made offline on this device and not yet sent: {count}.'
    assert 'src="/static/js/sign-out.js" ' + question in page
    client.logout()
    sign_in_with_second_factor(client, StaffFactory(groups=["Event staff"]))
    admin = client.get("/admin/").content.decode()
    assert 'js/sign-out.js" ' + question in admin
