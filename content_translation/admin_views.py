"""Wagtail's "Translate" screen for pages (simple translation), with this project's rules:
pages that must stay English (content_translation.policy) get an explanation instead of the
form, and the subtree option is offered only when every page below may be translated."""

from django import forms
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.actions.copy_for_translation import ParentNotTranslatedError
from wagtail.contrib.simple_translation import views as simple_views
from wagtail.contrib.simple_translation.forms import SubmitTranslationForm

from content_translation.policy import PageNotTranslatable, is_translatable


class SubmitPageTranslationView(simple_views.SubmitPageTranslationView):
    def subtree_translatable(self) -> bool:
        return all(is_translatable(page) for page in self.object.get_descendants().specific())

    def get_form(self):
        data = self.request.POST.copy() if self.request.method == "POST" else None
        if data is not None and not self.subtree_translatable():
            data.pop("include_subtree", None)
        form = SubmitTranslationForm(self.object, data)
        if not self.subtree_translatable():
            form.fields["include_subtree"].widget = forms.HiddenInput()
        return form

    def refusal(self, reason: str):
        return TemplateResponse(
            self.request,
            "content_translation/not_translatable.html",
            {"view": self, "page": self.object, "reason": reason},
        )

    def get(self, request, *args, **kwargs):
        if not is_translatable(self.object):
            return self.refusal(
                _(
                    "Pages of this type stay in English: a copy would be a second %(type)s with its own "
                    "places, bookings or listing. Readers of other languages see the English page with "
                    "a note in their language."
                )
                % {"type": self.object._meta.verbose_name}
            )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not is_translatable(self.object):
            return self.get(request, *args, **kwargs)
        try:
            return super().post(request, *args, **kwargs)
        except ParentNotTranslatedError:
            return self.refusal(_("Translate the parent page into that language first."))
        except PageNotTranslatable as refused:
            return self.refusal(str(refused))
