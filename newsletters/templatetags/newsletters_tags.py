"""`{% newsletter_signup %}`: the sign-up form (lists of the page's language) for any page or
block. It carries a CSRF token, so a page showing it is not stored by the page cache (like a
FormPage: core.page_cache refuses responses that used a token). The footer therefore links to
the sign-up page instead of holding the form: a token there would make every page uncacheable."""

from django import template

from core.i18n import active_language
from newsletters.forms import SubscribeForm
from newsletters.services.subscriptions import offered_lists

register = template.Library()


@register.inclusion_tag("newsletters/_signup_form.html", takes_context=True)
def newsletter_signup(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    offered = offered_lists(language=active_language(), user=user)
    initial = {"email": user.email} if user is not None and user.is_authenticated else {}
    return {"request": request, "form": SubscribeForm(offered=offered, initial=initial), "has_lists": offered.exists()}
