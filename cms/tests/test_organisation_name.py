"""The organisation's name is read one way: Site settings of the request's site, else the default site's."""

import pytest
from django.test import RequestFactory
from wagtail.models import Page, Site

from cms.models import SiteSettings, organisation_name

pytestmark = pytest.mark.django_db


def test_without_a_site_the_name_is_the_fields_default():
    Site.objects.all().delete()
    assert organisation_name() == "Thrive"


def test_without_a_request_the_default_sites_settings_give_the_name_not_any_sites():
    root = Page.get_first_root_node()
    default = Site.objects.get(is_default_site=True)
    other = Site.objects.create(hostname="other.example", root_page=root, is_default_site=False)
    SiteSettings.objects.create(site=other, organisation_name="Other Network")  # first row: not the default site's
    SiteSettings.objects.create(site=default, organisation_name="Home Network")
    assert organisation_name() == "Home Network"
    assert organisation_name(RequestFactory().get("/", HTTP_HOST="other.example")) == "Other Network"
