"""The emails enrolment sends. Each is built and sent by a service here, run by the task of
the same name in training.tasks (queued after commit, so a slow or failing mail server never
fails the learner's request; the task backend retries what fails)."""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.email import email_send
from core.links import absolute
from training.models import Enrolment

# Which email: (subject, with the course title, template). Lazy: email_send translates it into
# the learner's language.
ENROLMENT_EMAILS = {
    "enrolled": (_("You are enrolled: {title}"), "enrolment_created"),
    "waitlisted": (_("Waiting list: {title}"), "enrolment_created"),
    "promoted": (_("A place is yours: {title}"), "enrolment_promoted"),
}


def enrolment_email_send(*, enrolment_id: int, kind: str) -> str:
    """Send one enrolment email (`kind` from ENROLMENT_EMAILS) to the learner. Sends nothing
    for an enrolment that no longer exists or whose learner's account was closed."""
    enrolment = Enrolment.objects.select_related("user", "cohort__course").filter(pk=enrolment_id).first()
    if enrolment is None or not enrolment.user.is_active:
        return "skipped"
    subject, template = ENROLMENT_EMAILS[kind]
    cohort = enrolment.cohort
    email_send(
        to=[enrolment.user.email],
        subject=format_lazy(subject, title=cohort.course.title),
        template=template,
        context={
            "enrolment": enrolment,
            "course": cohort.course,
            "cohort": cohort,
            "dashboard_url": absolute(reverse("training:dashboard")),
        },
    )
    return "sent"
