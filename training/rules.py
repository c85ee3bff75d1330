"""The attendance rule, in one place (completion, the dashboard and trainers' pages use it).

One status per live session that has started (and was held after the learner enrolled: see
`statuses_that_count`), or None where nobody marked it. Present and late count as attended;
excused sessions are left out of the count entirely, so they never count against anyone;
unmarked sessions count as not attended.
"""

ATTENDED = ("present", "late")
EXCUSED = "excused"


def attendance_percent(statuses: list[str | None]) -> int | None:
    """Percentage attended of the sessions that count, or None when none count yet."""
    counted = [status for status in statuses if status != EXCUSED]
    if not counted:
        return None
    return round(100 * sum(1 for status in counted if status in ATTENDED) / len(counted))


def statuses_that_count(sessions, *, marks: dict, enrolled_at, now) -> list[str | None]:
    """The marks of one learner's sessions that the rule counts, in session order.

    A session counts once it has started, and only if it ended after the learner enrolled: a
    session held before they joined was never theirs to attend. A session they attended anyway
    (marked present or late) always counts, since being there never counts against anyone.
    `marks` maps session id to status; `enrolled_at` None (an old row) counts every session."""
    counted = []
    for session in sessions:
        if session.starts_at > now:
            continue
        status = marks.get(session.pk)
        if enrolled_at is not None and session.ends_at <= enrolled_at and status not in ATTENDED:
            continue
        counted.append(status)
    return counted
