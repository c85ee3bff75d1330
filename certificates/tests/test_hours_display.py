"""Hours read as people write them ("12 hours", "1.5 hours", "1 hour"), never "12.0", through the
one `hours` filter (core/templatetags/numbers.py) on every page that shows hours."""

from decimal import Decimal

import pytest

from accounts.tests.factories import MemberProfileFactory
from certificates.tests.test_certificates import issue
from core.templatetags.numbers import hours
from training.tests.factories import make_course

pytestmark = pytest.mark.django_db


def test_the_hours_filter_drops_a_useless_decimal():
    assert [hours(Decimal(v)) for v in ("12.0", "1.5", "0.5", "10", "100.0")] == ["12", "1.5", "0.5", "10", "100"]
    assert hours(None) == "" and hours("lots") == ""


def test_course_page_verify_page_and_my_certificates_show_hours_without_point_zero(client, demo_site):
    course = make_course(modules=0, hours=Decimal("12.0"))
    html = client.get(course.url).content.decode()
    assert "12 hours" in html and "12.0" not in html
    profile = MemberProfileFactory()
    whole = issue(profile, hours=Decimal("3.0"))
    verify = client.get(f"/verify/{whole.code}/").content.decode()
    assert "<dd>3</dd>" in verify and "3.0" not in verify
    half = issue(profile, hours=Decimal("1.5"), title="Another", source=whole)
    client.force_login(profile.user)
    mine = client.get("/learning/certificates/").content.decode()
    assert "3 hours" in mine and "1.5 hours" in mine and "3.0" not in mine
    assert half.hours == Decimal("1.5")


def test_one_hour_is_singular_on_the_course_page(client, demo_site):
    course = make_course(modules=0, hours=Decimal("1.0"))
    assert "1 hour" in client.get(course.url).content.decode()
    assert "1 hours" not in client.get(course.url).content.decode()
