"""An editor's panel on newsletter pages: a warning when the page's language is not its list's,
and the way to the email preview and the test copy."""

from wagtail.admin.panels import Panel


class ListLanguagePanel(Panel):
    """Reads the page as last saved (the warning follows a save, as Wagtail's own do)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "newsletters/admin/list_language_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            context["page"] = page
            context["mismatch"] = bool(page.pk and page.locale_id and page.list_language_mismatch())
            return context
