"""What accounts keeps only for a while (see README "Retention"): the daily purge."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import MemberProfile, MembershipApplication, Referral

logger = logging.getLogger(__name__)


@transaction.atomic
def retention_purge(*, now=None) -> dict[str, int]:
    """Remove what has been kept long enough. Idempotent; returns counts (no personal data).

    - access needs (special-category data) of members who have not signed in, nor changed
      them, for RETENTION_ACCESS_NEEDS_DAYS;
    - declined applications, and ones left waiting for the applicant's answer, after
      RETENTION_LAPSED_APPLICATION_DAYS;
    - email and note of referrals that were declined or expired RETENTION_CLOSED_REFERRAL_DAYS ago,
      and invitations past their expiry are marked expired.
    """
    now = now or timezone.now()
    needs_cutoff = now - timedelta(days=settings.RETENTION_ACCESS_NEEDS_DAYS)
    stale_needs = (
        MemberProfile.objects.exclude(access_needs="")
        .filter(Q(access_needs_updated_at__lt=needs_cutoff) | Q(access_needs_updated_at__isnull=True))
        .filter(Q(user__last_login__lt=needs_cutoff) | Q(user__last_login__isnull=True))
    )
    access_needs = stale_needs.update(access_needs="", access_needs_updated_at=now)

    application_cutoff = now - timedelta(days=settings.RETENTION_LAPSED_APPLICATION_DAYS)
    lapsed = MembershipApplication.objects.filter(
        status__in=[MembershipApplication.Status.DECLINED, MembershipApplication.Status.MORE_INFO],
        updated_at__lt=application_cutoff,
    )
    applications, _by_model = lapsed.delete()

    expired = Referral.objects.filter(status=Referral.Status.INVITED, expires_at__lte=now).update(
        status=Referral.Status.EXPIRED
    )
    referral_cutoff = now - timedelta(days=settings.RETENTION_CLOSED_REFERRAL_DAYS)
    closed = (
        Referral.objects.filter(status__in=[Referral.Status.DECLINED, Referral.Status.EXPIRED])
        .filter(Q(responded_at__lt=referral_cutoff) | Q(responded_at__isnull=True, expires_at__lt=referral_cutoff))
        .exclude(email="", note="")
        .update(email="", note="")
    )
    counts = {
        "access_needs": access_needs,
        "applications": applications,
        "referrals_expired": expired,
        "referrals_emptied": closed,
    }
    logger.info("retention purge: %s", counts)
    return counts
