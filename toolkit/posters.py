"""Posters (A4) and leaflets (A5) of an event, a course or the membership invitation (issue 19),
drawn by core.pdf from our template and the Wagtail-editable design (toolkit.models.PosterDesign).

Every poster carries a QR code of a short link (/s/<code>, toolkit.models.ShortLink) and the
link printed as text. The discreet version names neither the network nor survivors: the
design's neutral title and text, the date and the short link; no logo, no organisation name,
no page title or summary (either could say what it is about).

Takes objects and returns values or bytes; writes only the short link (made on first use)."""

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cms.models import organisation_name
from core.pdf import image_data_url, qr_markup, render_pdf
from core.templatetags.i18n_tags import html_lang
from events.models import EventPage
from toolkit.models import HEX_COLOUR, PosterDesign, ShortLink
from training.models import Cohort, CoursePage

STYLESHEET = Path(__file__).parent / "pdf" / "poster.css"

EVENT, COURSE, MEMBERSHIP = "event", "course", "membership"
KINDS = (EVENT, COURSE, MEMBERSHIP)
POSTER, LEAFLET = "poster", "leaflet"
SIZES = (POSTER, LEAFLET)
STANDARD, DISCREET = "standard", "discreet"
VARIANTS = (STANDARD, DISCREET)


@dataclass(frozen=True)
class Subject:
    """What a poster is of: its kind, its page (None for the membership invitation)."""

    kind: str
    page: EventPage | CoursePage | None = None

    @property
    def pk(self) -> int:
        return self.page.pk if self.page is not None else 0


def subject_for(kind: str, pk: int) -> Subject | None:
    """The live event or course `pk`, or the membership invitation; None for anything else."""
    if kind == MEMBERSHIP:
        return Subject(MEMBERSHIP) if pk == 0 else None
    model = {EVENT: EventPage, COURSE: CoursePage}.get(kind)
    if model is None:
        return None
    page = model.objects.live().filter(pk=pk).first()
    return Subject(kind, page) if page is not None else None


def target_path(subject: Subject) -> str:
    """The page's path in the default language (a poster is read by anyone; the site offers
    each reader their language from there)."""
    with translation.override(settings.LANGUAGE_CODE):
        if subject.kind == MEMBERSHIP:
            return reverse("membership:apply")
        parts = subject.page.get_url_parts()
        return parts[2] if parts else subject.page.url_path


def short_link(subject: Subject) -> ShortLink:
    return ShortLink.for_target(target_path(subject))


def short_url(link: ShortLink) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/s/{link.code}"


def _event_when(event: EventPage) -> str:
    starts = timezone.localtime(event.starts_at, ZoneInfo(event.time_zone))
    if event.all_day:
        return formats.date_format(starts, "j F Y")
    return f"{formats.date_format(starts, 'j F Y')}, {formats.date_format(starts, 'H:i')} {starts.tzname()}"


def _course_when(course: CoursePage) -> str:
    cohort = Cohort.objects.filter(course=course, starts_on__gte=timezone.localdate()).order_by("starts_on").first()
    if cohort is None:
        return ""
    return _("Next run starts %(date)s") % {"date": formats.date_format(cohort.starts_on, "j F Y")}


def poster_context(subject: Subject, *, size: str, variant: str) -> dict:
    design = PosterDesign.current()
    link = short_link(subject)
    url = short_url(link)
    discreet = variant == DISCREET
    if subject.kind == EVENT:
        title, when, summary = subject.page.title, _event_when(subject.page), subject.page.summary
        where = _("Online") if subject.page.online else ""
    elif subject.kind == COURSE:
        title, when, summary, where = subject.page.title, _course_when(subject.page), subject.page.summary, ""
    else:
        title, when, summary, where = design.membership_title, "", design.membership_text, ""
    if discreet:
        title = design.discreet_membership_title if subject.kind == MEMBERSHIP else design.discreet_title
        summary, where = design.discreet_text, ""
    return {
        "language": html_lang(translation.get_language()),
        "size": size,
        "discreet": discreet,
        "accent": design.accent_colour if HEX_COLOUR.match(design.accent_colour or "") else "#5b2a86",
        "logo": "" if discreet else image_data_url(design.logo),
        "organisation": "" if discreet else organisation_name(),
        "title": title,
        "when": when,
        "where": where,
        "summary": summary,
        "headline": design.headline if subject.kind != MEMBERSHIP and not discreet else "",
        "footer": "" if discreet else design.footer_text,
        "short_url": url,
        "qr_svg": qr_markup(url),
    }


def poster_html(context: dict) -> str:
    return render_to_string("toolkit/poster.html", context)


def render_poster(subject: Subject, *, size: str, variant: str) -> bytes:
    return render_pdf(poster_html(poster_context(subject, size=size, variant=variant)), stylesheet=STYLESHEET)


def poster_filename(subject: Subject, *, size: str, variant: str) -> str:
    """A plain file name; the discreet one says nothing of what it is about."""
    if variant == DISCREET:
        return f"{size}-{subject.kind}-{subject.pk}.pdf"
    slug = subject.page.slug if subject.page is not None else "membership"
    return f"{size}-{slug}.pdf"


def downloads(subject: Subject, url_for) -> list[dict]:
    """The four files of a subject, each with its address from `url_for(kind, pk, size, variant)`."""
    labels = {
        (POSTER, STANDARD): _("Poster (A4)"),
        (LEAFLET, STANDARD): _("Leaflet (A5)"),
        (POSTER, DISCREET): _("Discreet poster (A4)"),
        (LEAFLET, DISCREET): _("Discreet leaflet (A5)"),
    }
    return [
        {"label": labels[(size, variant)], "url": url_for(subject.kind, subject.pk, size, variant)}
        for variant in VARIANTS
        for size in SIZES
    ]
