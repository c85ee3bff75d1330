from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks

from cms.erasure import PERSONAL_DATA as cms_personal_data
from cms.organisers import chapter_organiser_viewset
from cms.submissions import make_wagtail_exports_safe
from core.hooks import PERSONAL_DATA_HOOK
from core.page_cache import mark_cacheable

# Every CSV and XLSX export of the Wagtail admin (reports, listings): cells safe to open.
make_wagtail_exports_safe()


@hooks.register("before_serve_page")
def allow_page_cache(page, request, serve_args, serve_kwargs):
    """Live pages served to the public may be kept by the anonymous page cache."""
    if not getattr(request, "is_preview", False):
        mark_cacheable(request)


@hooks.register("insert_global_admin_css")
def thrive_admin_css():
    """Layout for the admin screens Thrive adds (tables that scroll sideways on a phone)."""
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


@hooks.register("insert_global_admin_js")
def sign_out_asks_about_unsent_door_scans():
    """Signing out from the admin's menu clears the device (core.middleware); this asks first
    when an offline door on this device still holds scans it has not sent."""
    question = _(
        "Door scans made offline on this device and not yet sent: {count}. "
        "Signing out deletes them. Sign out anyway?"
    )
    return format_html('<script src="{}" data-unsent="{}" defer></script>', static("js/sign-out.js"), question)


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return cms_personal_data


@hooks.register("register_admin_viewset")
def chapter_organisers_viewset():
    return chapter_organiser_viewset
