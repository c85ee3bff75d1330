"""The attendance rule, in one place (completion, the dashboard and trainers' pages use it).

One status per live session that has started, or None where nobody marked it. Present
and late count as attended; excused sessions are left out of the count entirely, so they
never count against anyone; unmarked sessions count as not attended.
"""

ATTENDED = ("present", "late")
EXCUSED = "excused"


def attendance_percent(statuses: list[str | None]) -> int | None:
    """Percentage attended of the sessions that count, or None when none count yet."""
    counted = [status for status in statuses if status != EXCUSED]
    if not counted:
        return None
    return round(100 * sum(1 for status in counted if status in ATTENDED) / len(counted))
