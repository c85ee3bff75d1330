from training.models.pages import CourseFormat, CourseIndexPage, CoursePage, EnrolmentMode, ModulePage
from training.models.records import (
    CalendarFeed,
    Cohort,
    Enrolment,
    LiveSession,
    ModuleProgress,
    SessionAttendance,
)

__all__ = [
    "CalendarFeed",
    "Cohort",
    "CourseFormat",
    "CourseIndexPage",
    "CoursePage",
    "Enrolment",
    "EnrolmentMode",
    "LiveSession",
    "ModulePage",
    "ModuleProgress",
    "SessionAttendance",
]
