from training.models.pages import CourseFormat, CourseIndexPage, CoursePage, EnrolmentMode, ModulePage
from training.models.records import (
    Cohort,
    CourseSponsoredPlaces,
    Enrolment,
    LiveSession,
    ModuleProgress,
    SessionAttendance,
)

__all__ = [
    "Cohort",
    "CourseFormat",
    "CourseIndexPage",
    "CoursePage",
    "CourseSponsoredPlaces",
    "Enrolment",
    "EnrolmentMode",
    "LiveSession",
    "ModulePage",
    "ModuleProgress",
    "SessionAttendance",
]
