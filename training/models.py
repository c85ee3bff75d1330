# Courses, modules, cohorts and attendance arrive with the training issue (#4).
