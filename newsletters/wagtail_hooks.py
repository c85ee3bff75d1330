from django.urls import include, path
from wagtail import hooks

from core.hooks import ACCOUNT_PANELS_HOOK, PERIODIC_TASKS_HOOK, PERSONAL_DATA_HOOK, SEED_DEMO_HOOK
from newsletters import admin_urls
from newsletters.account import account_panel
from newsletters.erasure import PERSONAL_DATA as newsletters_personal_data


@hooks.register("register_admin_urls")
def newsletters_admin_urls():
    return [path("newsletters/", include(admin_urls, namespace="newsletters_admin"))]


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return newsletters_personal_data


@hooks.register(ACCOUNT_PANELS_HOOK)
def newsletters_panel(request):
    return account_panel(request)


# Subscribers and mailing lists ------------------------------------------------------------


@hooks.register("register_admin_menu_item")
def subscribers_menu_item():
    """Shown to Communications only (the views check the role again)."""
    from django.urls import reverse  # noqa: PLC0415
    from django.utils.translation import gettext_lazy as _  # noqa: PLC0415

    from accounts.roles import COMMUNICATIONS  # noqa: PLC0415
    from accounts.wagtail_hooks import RoleMenuItem  # noqa: PLC0415

    return RoleMenuItem(
        _("Mailing lists"), reverse("newsletters_admin:lists"), icon_name="mail", order=260, roles=(COMMUNICATIONS,)
    )


# Writing newsletters: the email preview and "send me a test" (views_admin_compose) ----------


@hooks.register("register_admin_urls")
def newsletters_compose_urls():
    from newsletters import views_admin_compose as views  # noqa: PLC0415

    patterns = [
        path("<int:page_id>/", views.compose, name="test"),
        path("<int:page_id>/email/", views.email_preview, name="email"),
        path("<int:page_id>/email.txt", views.email_preview_text, name="email_text"),
        path("<int:page_id>/send-test/", views.send_test, name="send_test"),
    ]
    return [path("newsletters/compose/", include((patterns, "newsletters_compose")))]


@hooks.register("register_page_action_menu_item")
def newsletter_test_menu_item():
    from newsletters.action_menu import NewsletterTestMenuItem  # noqa: PLC0415

    return NewsletterTestMenuItem(order=60)


@hooks.register(SEED_DEMO_HOOK, order=50)  # after content_translation's Vietnamese home page
def seed_demo_newsletters(password):
    from newsletters.demo import seed_newsletters  # noqa: PLC0415

    seed_newsletters()


# Mailings (sending) -----------------------------------------------------------------------


@hooks.register("register_admin_menu_item")
def mailings_menu_item():
    """Shown to Communications only (the views check the role again)."""
    from django.urls import reverse  # noqa: PLC0415
    from django.utils.translation import gettext_lazy as _  # noqa: PLC0415

    from accounts.roles import COMMUNICATIONS  # noqa: PLC0415
    from accounts.wagtail_hooks import RoleMenuItem  # noqa: PLC0415

    return RoleMenuItem(
        _("Mailings"), reverse("newsletters_admin:mailing_index"), icon_name="mail", order=261, roles=(COMMUNICATIONS,)
    )


@hooks.register(PERIODIC_TASKS_HOOK)
def mailing_recover_task():
    """Every minute: claims of dead workers taken back, due mailings started, stalled ones revived."""
    from newsletters.tasks import mailing_recover  # noqa: PLC0415

    return mailing_recover
