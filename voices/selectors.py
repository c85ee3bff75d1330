"""Reads that more than one view needs: who may see an opportunity, how many engagements each
interested member did recently, a member's tax-year total."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import MemberProfile
from certificates.models import Certificate
from training.models import Enrolment
from voices.models import Engagement, ExpenseClaim, Interest, Opportunity

RECENT_DAYS = 365


def _eligibility_q(user) -> Q:
    """The opportunities whose every condition `user` meets (conditions left empty hold)."""
    completed_courses = Enrolment.objects.filter(
        user=user, status=Enrolment.Status.COMPLETED, cohort__course_id=OuterRef("eligible_course_id")
    )
    held_certificates = Certificate.objects.filter(
        recipient=user,
        template_id=OuterRef("eligible_certificate_template_id"),
        revoked_at__isnull=True,
        replaced_by__isnull=True,
    )
    chapter_id = MemberProfile.objects.filter(user=user).values_list("chapter_id", flat=True).first()
    return (
        (Q(eligible_course__isnull=True) | Q(Exists(completed_courses)))
        & (Q(eligible_certificate_template__isnull=True) | Q(Exists(held_certificates)))
        & (Q(eligible_chapter__isnull=True) | Q(eligible_chapter_id=chapter_id))
    )


def is_member(user) -> bool:
    return user.is_authenticated and MemberProfile.objects.active().filter(user=user).exists()


def opportunities_for(user) -> QuerySet[Opportunity]:
    """Opportunities `user` may see: they are an active member and meet every condition. Open
    ones, plus any they already answered (so their own interest stays reachable after closing).
    Nothing for anyone else: opportunities are never public."""
    if not is_member(user):
        return Opportunity.objects.none()
    answered = Interest.objects.filter(opportunity=OuterRef("pk"), member=user)
    now = timezone.now()
    return (
        Opportunity.objects.filter(_eligibility_q(user))
        # Open ones whose date is still ahead and whose interest has not closed, plus any
        # they answered (their own interest and engagement stay reachable afterwards).
        .filter(
            Q(status=Opportunity.Status.OPEN, request__starts_at__gt=now)
            & (Q(closes_at__isnull=True) | Q(closes_at__gt=now))
            | Q(Exists(answered))
        )
        .select_related("request", "request__chapter")
    )


def is_eligible(user, opportunity: Opportunity) -> bool:
    return opportunities_for(user).filter(pk=opportunity.pk).exists()


@dataclass(frozen=True)
class Candidate:
    interest: Interest
    recent_count: int
    last_engagement: datetime.datetime | None


def candidates(opportunity: Opportunity, *, order: str = "fewest") -> list[Candidate]:
    """The members interested in `opportunity`, each with how many engagements they did in the
    last 12 months and when the last one was. `order="fewest"`: fewest recent first, then those
    whose last engagement is longest ago (never one first), then first to say so. Two queries."""
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    interests = list(
        Interest.objects.filter(opportunity=opportunity)
        .exclude(status=Interest.Status.WITHDRAWN)
        .select_related("member__member_profile")
    )
    member_ids = [interest.member_id for interest in interests]
    stats = {
        row["member_id"]: row
        for row in Engagement.objects.filter(member_id__in=member_ids, status__in=Engagement.COUNTED)
        .exclude(opportunity=opportunity)
        .values("member_id")
        .annotate(
            recent=Count("pk", filter=Q(starts_at__gte=since)),
            last=Max("starts_at", filter=Q(starts_at__lte=timezone.now())),
        )
    }
    rows = [
        Candidate(
            interest=interest,
            recent_count=stats.get(interest.member_id, {}).get("recent", 0),
            last_engagement=stats.get(interest.member_id, {}).get("last"),
        )
        for interest in interests
    ]
    if order == "fewest":
        oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        rows.sort(key=lambda row: (row.recent_count, row.last_engagement or oldest, row.interest.created_at))
    return rows


def tax_year_bounds(today: datetime.date, country: str | None) -> tuple[datetime.date, datetime.date]:
    """The tax year holding `today`: 6 April to 5 April in the UK, the calendar year elsewhere.
    Returns (first day, last day)."""
    if (country or "GB").upper() == "GB":
        start_year = today.year if today >= datetime.date(today.year, 4, 6) else today.year - 1
        return datetime.date(start_year, 4, 6), datetime.date(start_year + 1, 4, 5)
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


def tax_year_totals(user, today: datetime.date | None = None) -> dict:
    """What `user` was paid in the current tax year (fees and expenses paid), per currency:
    {"start": date, "end": date, "fees": {currency: minor}, "expenses": {currency: minor}}."""
    profile = MemberProfile.objects.filter(user=user).select_related("chapter").first()
    country = profile.chapter.country if profile and profile.chapter_id else None
    start, end = tax_year_bounds(today or timezone.localdate(), country)
    fees = (
        Engagement.objects.filter(
            member=user, payment=Engagement.Payment.PAID, paid_at__date__gte=start, paid_at__date__lte=end
        )
        .values("currency")
        .annotate(total=Sum("fee_minor"))
    )
    expenses = (
        ExpenseClaim.objects.filter(
            engagement__member=user,
            status=ExpenseClaim.Status.PAID,
            decided_at__date__gte=start,
            decided_at__date__lte=end,
        )
        .values("currency")
        .annotate(total=Sum("amount_minor"))
    )
    return {
        "start": start,
        "end": end,
        "fees": {row["currency"]: row["total"] for row in fees},
        "expenses": {row["currency"]: row["total"] for row in expenses},
    }
