"""The "Preview the email / send me a test" item in a newsletter page's action menu (beside
Save draft and Publish): a link to newsletters.views_admin_compose, which checks who asks."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.action_menu import ActionMenuItem

from newsletters.models import NewsletterPage


class NewsletterTestMenuItem(ActionMenuItem):
    label = _("Preview the email and send me a test")
    name = "action-newsletter-test"
    icon_name = "mail"

    def is_shown(self, context):
        page = context.get("page")
        return context["view"] == "edit" and isinstance(page, NewsletterPage) and super().is_shown(context)

    def get_url(self, parent_context):
        return reverse("newsletters_compose:test", args=[parent_context["page"].pk])
