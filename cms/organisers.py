"""Settings > Chapter organisers: which chapter each member of the "Chapter organisers" group
organises (cms.ChapterOrganiser). Only superusers hold its permissions, so only they see it.
The account list offers only members of that group (not every member of the network)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from cms.models import ChapterOrganiser

CHAPTER_ORGANISERS = "Chapter organisers"  # the group's name (accounts.roles; cms is below accounts)


class ChapterOrganiserViewSet(ModelViewSet):
    model = ChapterOrganiser
    form_fields = ["user", "chapter"]
    list_display = ["user", "chapter"]
    icon = "group"
    add_to_settings_menu = True
    menu_label = _("Chapter organisers")

    def formfield_for_dbfield(self, db_field, **kwargs):
        field = super().formfield_for_dbfield(db_field, **kwargs)
        if db_field.name == "user":
            field.queryset = get_user_model().objects.filter(groups__name=CHAPTER_ORGANISERS).order_by("email")
            field.label_from_instance = lambda user: user.email
            field.help_text = _("Only accounts in the Chapter organisers group are offered.")
        return field


chapter_organiser_viewset = ChapterOrganiserViewSet("chapter_organisers")
