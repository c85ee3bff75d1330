from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from accounts.roles import FINANCE
from accounts.wagtail_hooks import RoleMenuItem
from core.hooks import (
    HOME_LISTINGS_HOOK,
    LOCAL_SERVICES_HOOK,
    PERIODIC_TASKS_HOOK,
    PERSONAL_DATA_HOOK,
    SEED_DEMO_HOOK,
    SEED_SCALE_HOOK,
)
from payments import admin_urls
from payments.demo import seed_giving as seed
from payments.erasure import PERSONAL_DATA as payments_personal_data
from payments.local_services import localstripe_start
from payments.scale import seed_giving as seed_scale_giving
from payments.selectors import campaigns_open
from payments.tasks import payments_reconcile, payments_retention

hooks.register(LOCAL_SERVICES_HOOK, localstripe_start)
hooks.register(SEED_SCALE_HOOK, seed_scale_giving, order=20)


@hooks.register("register_admin_urls")
def finance_admin_urls():
    return [path("finance/", include(admin_urls, namespace="payments_admin"))]


@hooks.register("insert_global_admin_css")
def money_input_css():
    """The money boxes' layout (symbol, box, code on one line) in the page editor and Finance."""
    return format_html('<link rel="stylesheet" href="{}">', static("css/money-input-admin.css"))


@hooks.register("register_admin_menu_item")
def finance_orders_menu_item():
    return RoleMenuItem(
        gettext_lazy("Orders"), reverse("payments_admin:orders"), icon_name="list-ul", order=220, roles=(FINANCE,)
    )


@hooks.register("register_admin_menu_item")
def finance_donations_menu_item():
    return RoleMenuItem(
        gettext_lazy("Donations"), reverse("payments_admin:donations"), icon_name="pick", order=221, roles=(FINANCE,)
    )


@hooks.register("register_admin_menu_item")
def finance_gift_aid_menu_item():
    return RoleMenuItem(
        gettext_lazy("Gift Aid claims"),
        reverse("payments_admin:gift_aid"),
        icon_name="download",
        order=222,
        roles=(FINANCE,),
    )


@hooks.register(HOME_LISTINGS_HOOK)
def open_campaigns(request):
    """The home page's campaigns: each open one, with its target (no running total, which
    would go stale in the cached home page; the campaign page shows it live)."""
    items = [
        {
            "title": page.title,
            "url": page.url,
            "when": _campaign_when(page),
        }
        for page in campaigns_open(limit=3)
    ]
    return {"title": _("Campaigns"), "items": items, "more_url": None}


def _campaign_when(page) -> str:
    """ "Target £5,000.00, until 31 March 2027", in the active language."""
    if page.ends_on:
        return _("Target %(target)s, until %(date)s") % {
            "target": page.target_display,
            "date": formats.date_format(page.ends_on, "j F Y"),
        }
    return _("Target %(target)s") % {"target": page.target_display}


@hooks.register(PERIODIC_TASKS_HOOK)
def reconciliation_task():
    return payments_reconcile


@hooks.register(PERIODIC_TASKS_HOOK)
def retention_task():
    return payments_retention


@hooks.register(SEED_DEMO_HOOK)
def seed_giving(password):
    seed(password=password)


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return payments_personal_data
