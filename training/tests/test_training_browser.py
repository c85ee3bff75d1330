"""Browser journey: a learner enrols and completes modules, a trainer marks attendance session
by session (sessions still to come count as missed until marked), completion shows on the
dashboard with the certificate, which verifies."""

import re

import pytest

pytestmark = pytest.mark.browser

COURSE = "/courses/telling-your-story-safely/"


def test_learner_enrols_completes_modules_trainer_marks_attendance(demo_server, chromium, axe, sign_in):
    base = demo_server.url
    _staff, password = demo_server.staff_login
    learner = chromium.new_context().new_page()
    sign_in(learner, base, "sam@member.example", password)

    learner.goto(base + COURSE)
    assert axe(learner) == []
    learner.get_by_role("button", name=re.compile("^Enrol in")).click()
    learner.wait_for_load_state()
    assert "You are enrolled" in learner.content()
    # Sessions held before a learner enrolled do not count for them: this journey is that of a
    # learner who enrolled before the run began, so its first (past) session counts.
    demo_server.shell(
        "from datetime import timedelta; from training.models import Enrolment;"
        "e = Enrolment.objects.get(user__email='sam@member.example', cohort__course__slug='telling-your-story-safely');"
        "e.enrolled_at = e.cohort.sessions.order_by('starts_at').first().starts_at - timedelta(days=7);"
        "e.save(update_fields=['enrolled_at'])"
    )

    learner.get_by_role("link", name="Consent and control").click()
    learner.wait_for_load_state()
    assert axe(learner) == []
    learner.get_by_role("button", name="Mark this module as complete").click()
    learner.wait_for_load_state()
    assert "module complete" in learner.content()
    learner.get_by_role("link", name=re.compile("^Next: Working with journalists")).click()
    learner.wait_for_load_state()
    learner.get_by_role("radio", name="You").check()
    learner.get_by_role("button", name="Check my answers and complete the module").click()
    learner.wait_for_load_state()
    assert "module complete (100%)" in learner.content()

    learner.goto(base + "/learning/")
    assert axe(learner) == []
    assert "Modules: 2 of 2 required" in learner.content()
    assert "Completed on" not in learner.content()  # the first live session is not yet attended

    trainer = chromium.new_context().new_page()
    sign_in(trainer, base, "trainer@thrive.example", password)

    def mark_present(session_title: str) -> str:
        trainer.goto(base + "/admin/training/cohorts/")
        trainer.get_by_role("link", name=re.compile("Telling your story safely")).click()
        trainer.wait_for_load_state()
        trainer.get_by_role("link", name=f"Take attendance for {session_title}").click()
        trainer.wait_for_load_state()
        assert axe(trainer) == []
        trainer.get_by_role("radio", name="Present").first.check()
        trainer.get_by_role("button", name="Save attendance").click()
        trainer.wait_for_load_state()
        return trainer.content()

    assert "Attendance saved" in mark_present("Week 1 circle")
    # Sessions still to come count as missed until marked: 1 of 3 attended is not complete, and
    # Present cannot be marked for a session days ahead (the register says when it opens).
    learner.goto(base + "/learning/")
    content = learner.content()
    assert "Attendance so far: 100%" in content and "Completed on" not in content
    assert "complete once you have attended at least 75%" in content
    refused = mark_present("Week 2 circle")
    assert "Present and late can be marked from" in refused and "Attendance saved" not in refused

    # Time passes: weeks 2 and 3 are held (moved into the past), and the trainer marks them.
    demo_server.shell(
        "from datetime import timedelta; from django.utils import timezone; from training.models import LiveSession;"
        "sessions = LiveSession.objects.filter(cohort__course__slug='telling-your-story-safely');"
        "[sessions.filter(title=f'Week {n} circle').update(starts_at=timezone.now() - timedelta(days=3 - n),"
        " ends_at=timezone.now() - timedelta(days=3 - n) + timedelta(hours=2)) for n in (2, 3)]"
    )
    assert "Attendance saved" in mark_present("Week 2 circle")
    learner.goto(base + "/learning/")
    assert "Completed on" not in learner.content()  # 2 of 3 so far: 67% is under the 75% minimum
    assert "Attendance saved" in mark_present("Week 3 circle")  # the last mark completes the learner

    learner.goto(base + "/learning/")
    content = learner.content()
    assert "Completed on" in content and "Download your certificate (PDF)" in content
    learner.get_by_role("link", name="check it").click()
    learner.wait_for_load_state()
    assert "Valid." in learner.content()
    assert axe(learner) == []
