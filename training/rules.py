"""The learning rules, in one place: attendance (completion, the dashboard and trainers' pages
use it), when a module opens, and a quiz's score. Pure: values in, values out.

The attendance rule.

One status per live session that counts for the learner (see `statuses_that_count`), or None
where nobody marked it. Present and late count as attended; excused sessions are left out of the
count entirely, so they never count against anyone; unmarked sessions count as not attended.

Two numbers use it. "Attendance so far" (My learning, the trainer's pages) counts the sessions
that have started, plus any later session that already has a mark. Completion counts every
session of the run, those still to come as not attended until marked, so a course completes
early only when missing every remaining session would still meet the minimum.

A mark on a session that has not started counts at once: absent or excused can be marked ahead
(a learner says they cannot come); present and late cannot be marked before the register opens
(`services.attendance_mark`), so nobody is counted as attending a session before it happens.
"""

from django.utils import timezone

ATTENDED = ("present", "late")
EXCUSED = "excused"


def attendance_percent(statuses: list[str | None]) -> int | None:
    """Percentage attended of the sessions that count, or None when none count yet."""
    counted = [status for status in statuses if status != EXCUSED]
    if not counted:
        return None
    return round(100 * sum(1 for status in counted if status in ATTENDED) / len(counted))


def statuses_that_count(sessions, *, marks: dict, enrolled_at, now=None) -> list[str | None]:
    """The marks of one learner's sessions that the rule counts, in session order.

    A session counts only if it ended after the learner enrolled: a session held before they
    joined was never theirs to attend. A session they attended anyway (marked present or late)
    always counts, since being there never counts against anyone. With `now` (attendance so
    far), a session also waits until it has started unless it is already marked; without it
    (completion), every session of the run counts, those to come unmarked, so not attended.
    `marks` maps session id to status; `enrolled_at` None (an old row) counts every session."""
    counted = []
    for session in sessions:
        if now is not None and session.starts_at > now and session.pk not in marks:
            continue
        status = marks.get(session.pk)
        if enrolled_at is not None and session.ends_at <= enrolled_at and status not in ATTENDED:
            continue
        counted.append(status)
    return counted


# Modules ------------------------------------------------------------------------------------


def module_is_open(module, enrolment) -> bool:
    """Has this module opened for this learner (its release date, or days after they enrolled)?"""
    opens = module.opens_at(enrolment.enrolled_at)
    return opens is None or opens <= timezone.now()


def quiz_score(quiz, answers: dict[str, str]) -> int:
    """The percentage of a module quiz's questions answered right (`answers`: {"q0": choice})."""
    questions = list(quiz["questions"])
    right = sum(1 for i, q in enumerate(questions) if answers.get(f"q{i}") == str(q["correct_choice"]))
    return round(100 * right / len(questions)) if questions else 100
