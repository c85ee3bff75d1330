"""What training hears from payments: the sponsored places donors paid for on a course."""

from django.dispatch import receiver

from payments.signals import sponsorship_changed
from training.models import CoursePage
from training.services import course_sponsored_places_set


@receiver(sponsorship_changed, dispatch_uid="training_set_sponsored_places")
def set_sponsored_places(sender, *, page_id, places, **kwargs) -> None:
    """Donors' gifts now pay for `places` places on this page: when it is a course, keep it."""
    course = CoursePage.objects.filter(pk=page_id).first()
    if course is not None:
        course_sponsored_places_set(course=course, places=places)
