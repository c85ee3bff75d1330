"""A newsletter page as an email (issue 18, item 2): HTML with its styles inlined, and plain text.

Pure: takes a page (live, or a draft from its latest revision) and returns strings; no request.

What every message is, whoever receives it:
- HTML of at most 600 pixels wide in system fonts (no web fonts), with every style written on
  the element (css-inline), so that mail clients that drop `<style>` still show it; and a
  plain-text alternative made from the same HTML.
- Images only from our own site: renditions at absolute addresses under SITE_URL (or the
  media origins the site's own pages use, `settings.MEDIA_ORIGINS`, when images live in a
  bucket), never with a query string. Any other image is dropped.
- No tracking: no pixel, no rewritten links. Links stay as the editor wrote them; paths to our
  own pages are only made absolute (an email has no "current site").
- An unsubscribe link in the footer; "view in your browser" only for lists whose issues are
  public (members-only issues are on the web archive for signed-in members only).

Cheap per recipient: the body is rendered once, with the placeholder `UNSUBSCRIBE_PLACEHOLDER`
where each recipient's unsubscribe link goes, and filled by string replacement:

    message = newsletter_message(page, mailing_list=mailing.mailing_list)   # once per mailing
    # store message.subject / .html / .text (e.g. on the Mailing), then per recipient:
    subject, html, text = message_for_recipient(
        subject=message.subject, html=message.html, text=message.text,
        unsubscribe_url=unsubscribe_url(subscription), discreet=..., language=message.language,
    )

A discreet recipient (a member in discreet mode) gets the neutral subject
(`settings.DISCREET_SUBJECT`, in the message's language) and a neutral preview line (the
hidden first line that mail apps show beside the subject): both are swapped in the stored
strings, so the discreet copy needs no second rendering. The sender must also use
`core.email.neutral_sender()` for them.

`newsletter_render(page, subscription=..., discreet=...)` does both steps at once (previews,
the editor's test copy).
"""

import re
from dataclasses import dataclass
from html import escape

import css_inline
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from core.links import absolute

UNSUBSCRIBE_PLACEHOLDER = "{{UNSUBSCRIBE_URL}}"
PREVIEW_START = "<!--preview-->"
PREVIEW_END = "<!--/preview-->"
IMAGE_FILTER = "width-1200"  # shown at 600 CSS pixels: sharp on high-density screens
REMOVED_TAGS = ("script", "iframe", "object", "embed", "link", "form", "input", "button", "video", "audio", "source")

_inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False)


@dataclass(frozen=True)
class NewsletterMessage:
    """One newsletter rendered once: `html` and `text` hold `UNSUBSCRIBE_PLACEHOLDER`."""

    subject: str
    html: str
    text: str
    language: str

    def for_recipient(self, *, unsubscribe_url: str, discreet: bool = False) -> tuple[str, str, str]:
        return message_for_recipient(
            subject=self.subject,
            html=self.html,
            text=self.text,
            unsubscribe_url=unsubscribe_url,
            discreet=discreet,
            language=self.language,
        )


def newsletter_render(page, *, subscription=None, discreet: bool = False, mailing_list=None) -> tuple[str, str, str]:
    """(subject, html, text) of `page` for one recipient: `subscription`'s unsubscribe link, or
    a placeholder link for previews and test copies (it leads to the "link not valid" page and
    changes nothing). `discreet`: the neutral subject and preview line. Renders the whole page:
    to send to many, use `newsletter_message` once and `message_for_recipient` per recipient."""
    from newsletters.tokens import unsubscribe_url  # tokens reverses URLs; imported when used

    message = newsletter_message(page, mailing_list=mailing_list)
    url = unsubscribe_url(subscription) if subscription is not None else preview_unsubscribe_url()
    return message.for_recipient(unsubscribe_url=url, discreet=discreet)


def preview_unsubscribe_url() -> str:
    return absolute(reverse("newsletters:unsubscribe", args=["preview"]))


def message_for_recipient(
    *, subject: str, html: str, text: str, unsubscribe_url: str, discreet: bool = False, language: str | None = None
) -> tuple[str, str, str]:
    """(subject, html, text) for one recipient from a stored rendering: string replacements
    only (microseconds). `language`: the message's, for the neutral subject."""
    html = html.replace(UNSUBSCRIBE_PLACEHOLDER, escape(unsubscribe_url))
    text = text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url)
    if discreet:
        with translation.override(language or settings.LANGUAGE_CODE):
            subject = gettext(settings.DISCREET_SUBJECT)
        html = _swap_between(html, PREVIEW_START, PREVIEW_END, escape(subject))
        html = _swap_between(html, "<title>", "</title>", escape(subject))
    return subject, html, text


def _swap_between(text: str, start: str, end: str, replacement: str) -> str:
    opening = text.find(start)
    closing = text.find(end, opening + len(start)) if opening >= 0 else -1
    if closing < 0:
        return text
    return text[: opening + len(start)] + replacement + text[closing:]


def newsletter_message(page, *, mailing_list=None) -> NewsletterMessage:
    """`page` rendered once, in its own language, for `mailing_list` (default: the page's):
    see the module docstring. A few queries (the locale, the list, images' renditions, site
    settings) and a few milliseconds."""
    mailing_list = mailing_list if mailing_list is not None else page.mailing_list
    language = page.locale.language_code
    with translation.override(language):
        subject = " ".join(page.title.split())
        context = {
            "page": page,
            "subject": subject,
            "language": language,
            "direction": "rtl" if language.split("-")[0] in settings.LANGUAGES_BIDI else "ltr",
            "preview_text": page.intro or subject,
            "blocks": [_render_block(block) for block in page.body],
            "view_url": _view_in_browser_url(page, mailing_list),
            "mailing_list": mailing_list,
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
            **_sender_details(),
        }
        html = _finish_html(render_to_string("newsletters/email/newsletter.html", context))
        context["body_text"] = html_to_text(_body_content(html))
        text = render_to_string("newsletters/email/newsletter.txt", context)
    return NewsletterMessage(subject=subject, html=html, text=_tidy_text(text), language=language)


def _render_block(block) -> str:
    context = {"value": block.value, "block_type": block.block_type}
    if block.block_type == "image":
        context["image_url"], context["image_alt"] = _image(block.value)
        if context["image_url"] is None:
            return ""
    return render_to_string(f"newsletters/email/blocks/{block.block_type}.html", context)


def _image(image) -> tuple[str | None, str]:
    """(absolute address of the rendition, its alternative text); no address for an image
    that is not on our own site."""
    if image is None:
        return None, ""
    url = image.get_rendition(IMAGE_FILTER).url
    if url.startswith("/") and not url.startswith("//"):
        url = absolute(url)
    alt = "" if getattr(image, "decorative", False) else (getattr(image, "contextual_alt_text", None) or image.title)
    return (url if is_own_image(url) else None), alt


def own_image_prefixes() -> tuple[str, ...]:
    origins = [settings.SITE_URL, *getattr(settings, "MEDIA_ORIGINS", [])]
    return tuple(origin.rstrip("/") + "/" for origin in origins)


def is_own_image(url: str) -> bool:
    """An image address we may put in an email: absolute, on our own site (or media origin), no
    query string or fragment (nothing per reader can be carried in it)."""
    return bool(url) and url.startswith(own_image_prefixes()) and "?" not in url and "#" not in url


def _view_in_browser_url(page, mailing_list) -> str | None:
    """The page's address, for lists whose issues anyone may read on the web archive."""
    from newsletters.models import MailingList  # models import this module's callers

    if mailing_list is None or mailing_list.audience != MailingList.Audience.PUBLIC:
        return None
    parts = page.get_url_parts()
    if parts is None or parts[2] is None:
        return None
    return absolute(parts[2])


def _sender_details() -> dict:
    from cms.models import SiteSettings  # models: loaded when first used

    row = (
        SiteSettings.objects.filter(site__is_default_site=True).values("organisation_name", "postal_address").first()
        or {}
    )
    default_name = SiteSettings._meta.get_field("organisation_name").get_default()
    return {
        "organisation_name": row.get("organisation_name") or default_name,
        "postal_address": ", ".join(
            line.strip() for line in (row.get("postal_address") or "").splitlines() if line.strip()
        ),
    }


def email_preview_csp() -> dict:
    """The policy for showing the email itself in the admin: its inline styles and our own
    images, nothing else (no scripts, no forms, no connections)."""
    from django.utils.csp import CSP  # noqa: PLC0415 - only the preview views need it

    return {
        "default-src": [CSP.NONE],
        "style-src": [CSP.UNSAFE_INLINE],
        "img-src": [CSP.SELF, *own_image_prefixes()],
        "base-uri": [CSP.NONE],
        "form-action": [CSP.NONE],
        "frame-ancestors": [CSP.SELF],
    }


def _finish_html(html: str) -> str:
    """Own-site paths made absolute, foreign or tracking-shaped images and active content
    removed, then every style inlined."""
    soup = BeautifulSoup(html, "html.parser")
    for name in REMOVED_TAGS:
        for element in soup.find_all(name):
            element.decompose()
    for image in soup.find_all("img"):
        source = image.get("src", "")
        if source.startswith("/") and not source.startswith("//"):
            source = image["src"] = absolute(source)
        if not is_own_image(source) or image.get("width") in ("0", "1") or image.get("height") in ("0", "1"):
            image.decompose()
            continue
        for attribute in ("srcset", "sizes", "loading"):
            image.attrs.pop(attribute, None)
    for link in soup.find_all("a", href=True):
        href = link["href"]
        if href.startswith("/") and not href.startswith("//"):
            link["href"] = absolute(href)
    return _inliner.inline(str(soup))


def _body_content(html: str) -> str:
    """The message's content (between the content markers), for the text version."""
    start, end = html.find("<!--content-->"), html.find("<!--/content-->")
    return html[start:end] if 0 <= start < end else html


# Plain text ---------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "section", "figure", "figcaption", "blockquote", "ul", "ol", "table", "tr", "details"}
_UNDERLINES = {"h1": "=", "h2": "=", "h3": "-", "h4": "-", "h5": "-", "h6": "-"}


def html_to_text(html: str) -> str:
    """Readable plain text of email HTML: headings underlined, list items with "- " or their
    number, a link's address after its words (once when they are the same), quotes with "> ",
    images left out."""
    soup = BeautifulSoup(html, "html.parser")
    return _tidy_text("".join(_text_of(soup)))


def _text_of(node) -> list[str]:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            parts.append(re.sub(r"\s+", " ", str(child)))
        elif isinstance(child, Tag):
            parts.extend(_text_of_tag(child))
    return parts


def _text_of_tag(tag: Tag) -> list[str]:
    name = tag.name
    if name in ("img", "style", "head", "title"):
        return []
    if name == "br":
        return ["\n"]
    inner = "".join(_text_of(tag)).strip()
    if name in _UNDERLINES:
        return [f"\n\n{inner}\n{_UNDERLINES[name] * len(inner)}\n\n"] if inner else []
    if name == "a":
        href = tag.get("href", "")
        if not href or href.startswith("#") or href == inner:
            return [inner or href]
        return [f"{inner} ({href})" if inner else href]
    if name == "li":
        parent = tag.parent
        marker = "- "
        if parent is not None and parent.name == "ol":
            marker = f"{parent.find_all('li', recursive=False).index(tag) + 1}. "
        return [f"\n{marker}{inner}"]
    if name == "blockquote":
        quoted = "\n".join(f"> {line}".rstrip() for line in _tidy_text(inner).splitlines())
        return [f"\n\n{quoted}\n\n"]
    if name in _BLOCK_TAGS or name == "summary":
        return [f"\n\n{inner}\n\n"]
    return ["".join(_text_of(tag))]


def _tidy_text(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
