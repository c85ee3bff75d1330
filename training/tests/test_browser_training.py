"""Browser journey: a learner enrols and completes modules, a trainer marks attendance,
completion shows on the dashboard with the certificate, which verifies."""

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
    trainer.goto(base + "/admin/training/cohorts/")
    trainer.get_by_role("link", name=re.compile("Telling your story safely")).click()
    trainer.wait_for_load_state()
    trainer.get_by_role("link", name="Take attendance for Week 1 circle").click()
    trainer.wait_for_load_state()
    assert axe(trainer) == []
    trainer.get_by_role("radio", name="Present").first.check()
    trainer.get_by_role("button", name="Save attendance").click()
    trainer.wait_for_load_state()
    assert "Attendance saved" in trainer.content()

    learner.goto(base + "/learning/")
    content = learner.content()
    assert "Completed on" in content and "Download your certificate (PDF)" in content
    learner.get_by_role("link", name="check it").click()
    learner.wait_for_load_state()
    assert "Valid." in learner.content()
    assert axe(learner) == []
