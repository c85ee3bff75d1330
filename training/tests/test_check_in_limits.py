"""Self check-in codes cannot be guessed: attempts are limited per learner and per session
(issue 13, item 12). Before, 814 tries in 15 s met no limit."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from training.check_in import check_in_code
from training.models import LiveSession, SessionAttendance
from training.tests.factories import enrol, make_cohort, make_course, make_learner

pytestmark = pytest.mark.django_db


def open_session(cohort):
    start = timezone.now() - timedelta(minutes=10)
    return LiveSession.objects.create(
        cohort=cohort, title="Circle", starts_at=start, ends_at=start + timedelta(hours=2)
    )


def wrong_codes(session, n):
    """n codes that are neither this minute's nor the last minute's."""
    right = {check_in_code(session), check_in_code(session, time.time() - 60), check_in_code(session, time.time() + 60)}
    codes = (f"{i:06d}" for i in range(1_000_000))
    return [code for code, _ in zip((c for c in codes if c not in right), range(n), strict=False)]


def post_code(client, session, code):
    return client.post(f"/training/sessions/{session.pk}/check-in/", {"code": code})


def test_after_too_many_wrong_codes_the_learner_is_refused_even_with_the_right_code_and_others_are_not(
    client, settings
):
    cohort = make_cohort(make_course())
    session = open_session(cohort)
    guesser, neighbour = make_learner(), make_learner()
    enrol(guesser, cohort)
    enrol(neighbour, cohort)
    client.force_login(guesser)
    for code in wrong_codes(session, settings.CHECK_IN_LEARNER_ATTEMPTS):
        response = post_code(client, session, code)
        assert response.status_code == 200 and "not right" in response.content.decode()
    response = post_code(client, session, check_in_code(session))
    page = response.content.decode()
    assert response.status_code == 429
    assert "too many wrong codes, so check-in is paused for you" in page
    assert "Ask your trainer to mark you present" in page
    assert not SessionAttendance.objects.exists()
    # Another learner of the same session checks in as usual.
    client.force_login(neighbour)
    response = post_code(client, session, check_in_code(session))
    assert response.status_code == 302
    assert SessionAttendance.objects.get().enrolment.user == neighbour


def test_the_session_cap_holds_across_learners(client, settings):
    settings.CHECK_IN_LEARNER_ATTEMPTS = 3
    settings.CHECK_IN_SESSION_ATTEMPTS = 7
    cohort = make_cohort(make_course())
    session = open_session(cohort)
    learners = [make_learner() for _ in range(4)]
    for learner in learners:
        enrol(learner, cohort)
    guesses = iter(wrong_codes(session, 20))
    refused = []
    for learner in learners[:3]:  # 3 learners x 3 wrong codes = 9 tries, over the session's 7
        client.force_login(learner)
        for _ in range(3):
            refused.append(post_code(client, session, next(guesses)).status_code == 429)
    assert refused.count(True) == 2  # the 8th and 9th tries
    client.force_login(learners[3])
    response = post_code(client, session, check_in_code(session))
    assert response.status_code == 429
    assert "Too many wrong codes were tried for this session" in response.content.decode()
    assert not SessionAttendance.objects.exists()


def test_a_right_code_does_not_use_up_the_learners_tries(client, settings):
    settings.CHECK_IN_LEARNER_ATTEMPTS = 2
    cohort = make_cohort(make_course())
    session = open_session(cohort)
    learner = make_learner()
    enrol(learner, cohort)
    client.force_login(learner)
    for _ in range(4):  # checking in again (a double tap) is never refused
        assert post_code(client, session, check_in_code(session)).status_code == 302
    assert SessionAttendance.objects.get().self_checked_in
