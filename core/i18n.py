"""Interface languages (issue 16).

English (`settings.LANGUAGE_CODE`, "en-gb") is the source and has no address prefix; every other
language in `settings.LANGUAGES` is chosen by the first part of the address: /vi/events/...
Nothing else chooses it: no cookie, no Accept-Language, so a stored page (core.page_cache) is in
the one language its address names, and a visitor on a shared phone leaves no trace of the
language they read.

What is made for one person away from a page (emails, PDF tickets, certificates, receipts,
calendar text, including those made by tasks) is made in that person's preferred language
(`MemberProfile.preferred_language`), with `language_of(user_or_address)`. A guest has no
account: the rows a visitor makes (bookings, waiting-list entries, orders, monthly gifts,
membership applications) store the language they used (`active_language()`), and what is made
for them later passes it as `language_of(address, row.language)` / `email_send(language=...)`.
"""

from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import translate_url
from django.utils import translation


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """The interface language `code` names ("vi", "VI", "en", "en-GB"), or None."""
    if not code:
        return None
    code = code.strip().lower()
    for known in language_codes():
        if code == known or code == known.split("-")[0]:
            return known
    return None


def active_language() -> str:
    """The interface language active now, to store on a row a visitor makes (a booking, an
    order, an application): their later emails and documents are made in it when they have
    no account that chose one. Empty when none is active."""
    return supported(translation.get_language()) or ""


def language_for_user(user, default: str | None = None) -> str:
    """The member's preferred interface language; else `default` (a language stored on the row
    the text is about); else English."""
    if user is None or not getattr(user, "pk", None):
        return supported(default) or settings.LANGUAGE_CODE
    profile_language = (
        get_user_model().objects.filter(pk=user.pk).values_list("member_profile__preferred_language", flat=True).first()
    )
    return supported(profile_language) or supported(default) or settings.LANGUAGE_CODE


def language_for_address(address: str | None) -> str | None:
    """The preferred language of the account with this address, or None when no account has it
    or the account chose none (the caller keeps the language already active)."""
    if not address:
        return None
    profile_language = (
        get_user_model()
        .objects.filter(email=address.strip().lower())
        .values_list("member_profile__preferred_language", flat=True)
        .first()
    )
    return supported(profile_language)


@contextmanager
def language_of(who, default: str | None = None):
    """Make text for `who` in their language: a User, an email address, or None.

    The account's preferred language wins. Without one, `default`: the language stored on the
    row the text is about (the `language` a guest's booking, order or application was made in,
    pretix's order locale). Without that, for an address or None, the language already active
    stays: the page's language when a visitor acts, English in a task."""
    if isinstance(who, str):
        code = language_for_address(who) or supported(default) or translation.get_language() or settings.LANGUAGE_CODE
    elif who is not None and getattr(who, "pk", None):
        code = language_for_user(who, default)
    else:
        code = supported(default) or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(code):
        yield code


def alternate_urls(request) -> list[tuple[str, str, str]]:
    """(code, the language's own name, this page's address in that language) for the switcher
    and the hreflang links, relative to the site."""
    found = getattr(request, "_language_alternates", None)
    if found is None:  # the switcher and the hreflang links both ask: resolve once per request
        path = request.get_full_path()
        found = request._language_alternates = [
            (code, name, translate_url(path, code)) for code, name in settings.LANGUAGES
        ]
    return found


class UrlLanguageMiddleware:
    """Activate the language the address prefix names (English when none), for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        translation.deactivate()
        return response
