"""Event staff publish events: the "Event staff" group holds Wagtail's add, change and
publish page permissions on every events index page (and so on every event under it).

Granted by a receiver whenever an EventIndexPage is first saved (so an index made later, in
the admin or by `seed_demo`, gets them at once), and by migration events 0005 for indexes
that existed before. Idempotent; Editors keep Wagtail's own permissions on the whole site.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import GroupPagePermission

EVENT_STAFF = "Event staff"
PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def grant_event_staff(index, *, group_model, permission_model, page_permission_model) -> None:
    group = group_model.objects.filter(name=EVENT_STAFF).first()
    if group is None:
        return
    permissions = permission_model.objects.filter(
        content_type__app_label="wagtailcore", content_type__model="page", codename__in=PAGE_PERMISSIONS
    )
    for permission in permissions:
        page_permission_model.objects.get_or_create(group=group, page_id=index.pk, permission=permission)


def grant_event_staff_on(index) -> None:
    grant_event_staff(index, group_model=Group, permission_model=Permission, page_permission_model=GroupPagePermission)


@receiver(post_save, sender="events.EventIndexPage", dispatch_uid="events_index_event_staff_permissions")
def event_index_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        grant_event_staff_on(instance)
