"""The rules under survivor voices: the minimum fee, who is eligible, who is suggested first,
the tax year."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import ChapterFactory
from voices import selectors
from voices.models import Engagement, FeeUnit, VoiceRequest
from voices.services.requests import voice_request_check
from voices.tests.factories import make_engagement, make_interest, make_member, make_opportunity, make_policy

pytestmark = pytest.mark.django_db


def check(chapter, **overrides):
    starts = timezone.now() + datetime.timedelta(days=10)
    values = {
        "chapter": chapter,
        "kind": "talk",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "recorded": False,
        "anonymity": "",
        "format": "online",
        "venue": "",
        "hours": Decimal("3"),
        "fee_offered_minor": 7500,
    }
    voice_request_check(**(values | overrides))


def test_the_minimum_fee_counts_whole_hours_or_half_days_rounded_up():
    policy = make_policy(minimum_minor=2500, unit=FeeUnit.HOUR)
    assert policy.minimum_for(Decimal("2.5")) == 7500
    policy.unit = FeeUnit.HALF_DAY
    policy.minimum_minor = 10000
    assert policy.minimum_for(Decimal("3")) == 10000
    assert policy.minimum_for(Decimal("4.5")) == 20000


def test_a_fee_below_the_chapters_minimum_is_refused_with_the_policy_in_its_currency():
    us = ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")
    make_policy(us, minimum_minor=4000)
    with pytest.raises(ValidationError) as refusal:
        check(us, fee_offered_minor=11999)
    message = refusal.value.message_dict["fee_offered_minor"][0]
    assert "$40.00" in message and "$120.00" in message
    check(us, fee_offered_minor=12000)  # exactly the minimum for 3 hours is accepted


def test_a_past_date_a_missing_anonymity_statement_and_a_venue_less_visit_are_each_refused():
    chapter = ChapterFactory()
    with pytest.raises(ValidationError) as refusal:
        check(chapter, starts_at=timezone.now() - datetime.timedelta(hours=1), kind="media", format="in_person")
    assert set(refusal.value.message_dict) == {"starts_at", "anonymity", "venue"}
    with pytest.raises(ValidationError) as refusal:
        check(chapter, recorded=True)
    assert set(refusal.value.message_dict) == {"anonymity"}


def test_only_members_meeting_every_condition_see_an_opportunity():
    chapter = ChapterFactory()
    other = ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")
    opportunity = make_opportunity(eligible_chapter=chapter)
    inside, outside = make_member(chapter=chapter), make_member(chapter=other)
    assert list(selectors.opportunities_for(inside)) == [opportunity]
    assert list(selectors.opportunities_for(outside)) == []


def test_candidates_come_fewest_recent_engagements_first():
    busy, new = make_member(), make_member()
    for _ in range(2):
        past = make_opportunity()
        make_engagement(
            past, busy, status=Engagement.Status.COMPLETED, starts_at=timezone.now() - datetime.timedelta(days=40)
        )
    opportunity = make_opportunity()
    make_interest(opportunity, busy)
    make_interest(opportunity, new)
    rows = selectors.candidates(opportunity)
    assert [row.interest.member for row in rows] == [new, busy]
    assert (rows[0].recent_count, rows[1].recent_count) == (0, 2)
    assert rows[1].last_engagement is not None


def test_the_uk_tax_year_runs_from_6_april_and_elsewhere_the_calendar_year():
    assert selectors.tax_year_bounds(datetime.date(2027, 4, 5), "GB") == (
        datetime.date(2026, 4, 6),
        datetime.date(2027, 4, 5),
    )
    assert selectors.tax_year_bounds(datetime.date(2027, 4, 6), "GB")[0] == datetime.date(2027, 4, 6)
    assert selectors.tax_year_bounds(datetime.date(2027, 4, 5), "US") == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 31),
    )


def test_an_opportunity_whose_date_or_interest_deadline_has_passed_is_no_longer_offered_but_stays_with_its_answers():
    chapter = ChapterFactory()
    member = make_member(chapter=chapter)
    passed = make_opportunity()
    VoiceRequest.objects.filter(pk=passed.request_id).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    make_opportunity(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    answered = make_opportunity()
    make_interest(answered, member)
    VoiceRequest.objects.filter(pk=answered.request_id).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    assert list(selectors.opportunities_for(member)) == [answered]
