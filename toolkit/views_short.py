"""Short links printed on posters (issue 19): /s/<code> sends the reader on (302) to the page."""

from django.http import Http404, HttpResponseRedirect
from django.views.decorators.http import require_safe

from toolkit.models import ShortLink


@require_safe
def short_link(request, code: str):
    if len(code) > 16:
        raise Http404
    target = ShortLink.objects.filter(code=code.lower()).values_list("target", flat=True).first()
    if target is None or not target.startswith("/") or target.startswith("//"):
        raise Http404
    return HttpResponseRedirect(target)
