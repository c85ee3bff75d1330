"""The listing partners frame on their own sites (issue 19): /embed/<key>/.

Answers only GET and HEAD. What it must never do, whoever asks:
- be framed by any site but the partner's registered origins: its `Content-Security-Policy`
  names them in `frame-ancestors` ('none' when there are none) and it sends no
  `X-Frame-Options` (which cannot name a site; browsers apply both, DENY would win);
- set a cookie: no session, CSRF token, message or language cookie (the filter form is a GET
  form without a token; the language comes from the address or the form, never a cookie), so
  a visitor of the partner's site is not marked by ours;
- show anything personal, or change with who is signed in: the request's user is never read.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from events.listing import chapter_choices
from toolkit.embed import EmbedFilters, embed_csp, embed_listing, embed_origins, type_choices

EMBED_MAX_AGE = 300


@xframe_options_exempt
@require_safe
def embed(request, key: str):
    origins = embed_origins(key)
    if origins is None:
        raise Http404
    filters = EmbedFilters.from_params(request.GET)
    with translation.override(filters.language or translation.get_language()):
        listing = embed_listing(request=request, filters=filters)
        response = render(
            request,
            "toolkit/embed_listing.html",
            {
                "filters": filters,
                "chapters": chapter_choices(),
                "types": type_choices(),
                "languages": settings.LANGUAGES,  # each named in its own language
                "feeds": [("events", _("Upcoming events")), ("courses", _("Courses"))],
                **listing,
            },
        )
    response._csp_config = embed_csp(origins)
    # Shared caches may keep it a few minutes: it is the same for everyone.
    patch_cache_control(response, public=True, max_age=EMBED_MAX_AGE)
    return response
