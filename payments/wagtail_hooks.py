from django.urls import include, path, reverse
from wagtail import hooks

from accounts.roles import FINANCE
from accounts.wagtail_hooks import RoleMenuItem
from payments import admin_urls


@hooks.register("register_admin_urls")
def finance_admin_urls():
    return [path("finance/", include(admin_urls, namespace="payments_admin"))]


@hooks.register("register_admin_menu_item")
def finance_orders_menu_item():
    return RoleMenuItem("Orders", reverse("payments_admin:orders"), icon_name="list-ul", order=220, roles=(FINANCE,))


@hooks.register("register_admin_menu_item")
def finance_donations_menu_item():
    return RoleMenuItem("Donations", reverse("payments_admin:donations"), icon_name="pick", order=221, roles=(FINANCE,))


@hooks.register("register_admin_menu_item")
def finance_gift_aid_menu_item():
    return RoleMenuItem(
        "Gift Aid claim", reverse("payments_admin:gift_aid"), icon_name="download", order=222, roles=(FINANCE,)
    )


@hooks.register("thrive_periodic_tasks")
def reconciliation_task():
    from payments.tasks import payments_reconcile_task

    return payments_reconcile_task


@hooks.register("thrive_checkout_url")
def checkout_url_for_registrations(request, registrations):
    """For events' booking pages: an order for the reserved paid registrations, and the
    address of its checkout. Raises ValidationError (plain words) when it cannot be made."""
    from payments.services import order_create
    from payments.views import checkout_url

    registrations = list(registrations)
    email = registrations[0].email if registrations else ""
    order = order_create(email=email, registrations=registrations, user=request.user)
    return checkout_url(order)
