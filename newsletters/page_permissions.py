"""Communications write and publish newsletters: the "Communications" group holds Wagtail's add,
change and publish page permissions on every newsletter archive page (and so on every issue
under it), and on nothing else. Granted by a receiver whenever a NewsletterIndexPage is first
saved (in the admin or by `seed_demo`), as events grants Event staff their index. Idempotent."""

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import GroupPagePermission

from accounts.roles import COMMUNICATIONS

PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def grant_communications_on(index) -> None:
    group = Group.objects.filter(name=COMMUNICATIONS).first()
    if group is None:
        return
    permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", content_type__model="page", codename__in=PAGE_PERMISSIONS
    )
    for permission in permissions:
        GroupPagePermission.objects.get_or_create(group=group, page_id=index.pk, permission=permission)


@receiver(post_save, sender="newsletters.NewsletterIndexPage", dispatch_uid="newsletters_index_permissions")
def newsletter_index_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        grant_communications_on(instance)
