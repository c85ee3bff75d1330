"""The certificate of volunteering hours, made through the certificates app and read back."""

import subprocess
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from certificates.models import Certificate
from certificates.tasks import certificate_render
from volunteers import services
from volunteers.models import SignUp
from volunteers.tests.factories import make_shift, make_volunteer

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def _give_hours(volunteer, hours: str) -> None:
    shift = make_shift(days=-3, hours=4)
    sign_up = SignUp.objects.create(shift=shift, volunteer=volunteer)
    services.attendance_mark(shift=shift, actor=UserFactory(), marks={sign_up.pk: (True, Decimal(hours))})


def test_the_certificate_of_hours_names_the_volunteer_and_the_hours_given(demo_site):
    volunteer = make_volunteer(name="Jordan Vale")
    _give_hours(volunteer, "3")
    _give_hours(volunteer, "4.5")
    certificate = services.hours_certificate_issue(volunteer=volunteer)
    certificate_render.call(certificate_id=certificate.pk, send_email=False)
    certificate.refresh_from_db()
    text = " ".join(pdf_text(certificate.pdf.open("rb").read()).split())
    assert "Certificate of volunteering" in text
    assert "Jordan Vale has given 7.5 hours as a volunteer (Volunteering: Event steward)" in text
    assert certificate.kind == Certificate.Kind.VOLUNTEERING


def test_asking_again_with_the_same_hours_gives_the_same_certificate_and_more_hours_a_new_one():
    volunteer = make_volunteer()
    _give_hours(volunteer, "2")
    first = services.hours_certificate_issue(volunteer=volunteer)
    assert services.hours_certificate_issue(volunteer=volunteer).pk == first.pk
    _give_hours(volunteer, "1")
    second = services.hours_certificate_issue(volunteer=volunteer)
    assert second.pk != first.pk and second.hours == Decimal("3.0")
