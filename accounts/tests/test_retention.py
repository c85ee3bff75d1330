from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import MemberProfile, MembershipApplication, Referral
from accounts.retention import retention_purge as retention_purge_now  # the service the task runs
from accounts.services import referral_create
from accounts.tasks import retention_purge
from accounts.tests.factories import ApplicationFactory, MemberProfileFactory, PartnerContactFactory


@pytest.mark.django_db
def test_retention_purges_only_what_is_due(settings):
    now = timezone.now()
    old = now - timedelta(days=settings.RETENTION_ACCESS_NEEDS_DAYS + 1)
    stale = MemberProfileFactory(access_needs="Hearing loop", access_needs_updated_at=old)
    stale.user.last_login = old
    stale.user.save()
    recent = MemberProfileFactory(access_needs="Large print", access_needs_updated_at=now)
    active = MemberProfileFactory(access_needs="Quiet room", access_needs_updated_at=old)
    active.user.last_login = now
    active.user.save()

    lapsed = ApplicationFactory(status=MembershipApplication.Status.DECLINED)
    waiting = ApplicationFactory(status=MembershipApplication.Status.SUBMITTED)
    MembershipApplication.objects.filter(pk__in=[lapsed.pk, waiting.pk]).update(
        updated_at=now - timedelta(days=settings.RETENTION_LAPSED_APPLICATION_DAYS + 1)
    )
    contact = PartnerContactFactory()
    expired = referral_create(contact=contact, email="gone@example.org", note="old note")
    Referral.objects.filter(pk=expired.pk).update(
        expires_at=now - timedelta(days=settings.RETENTION_CLOSED_REFERRAL_DAYS + 1)
    )
    fresh = referral_create(contact=contact, email="fresh@example.org", note="")

    counts = retention_purge_now(now=now)

    assert counts == {"access_needs": 1, "applications": 1, "referrals_expired": 1, "referrals_emptied": 1}
    assert MemberProfile.objects.get(pk=stale.pk).access_needs == ""
    assert MemberProfile.objects.get(pk=recent.pk).access_needs == "Large print"
    assert MemberProfile.objects.get(pk=active.pk).access_needs == "Quiet room"
    assert not MembershipApplication.objects.filter(pk=lapsed.pk).exists()
    assert MembershipApplication.objects.filter(pk=waiting.pk).exists()  # still waiting for us: never purged
    expired.refresh_from_db()
    assert expired.status == Referral.Status.EXPIRED and expired.email == "" and expired.note == ""
    assert Referral.objects.get(pk=fresh.pk).email == "fresh@example.org"
    # Idempotent: a second run the same day finds nothing more.
    assert retention_purge_now(now=now) == {
        "access_needs": 0,
        "applications": 0,
        "referrals_expired": 0,
        "referrals_emptied": 0,
    }


@pytest.mark.django_db
def test_the_daily_task_runs_the_purge():
    result = retention_purge.enqueue()
    assert result.return_value == {"access_needs": 0, "applications": 0, "referrals_expired": 0, "referrals_emptied": 0}
