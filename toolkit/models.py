"""The toolkit's own data (issue 19): short links printed on posters, and the posters' design."""

import re
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

# No 0/O, 1/I/L: read aloud or typed from paper without doubt.
SHORT_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SHORT_LENGTH = 7
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_ALPHABET) for _ in range(SHORT_LENGTH))


class ShortLink(models.Model):
    """A short random code printed under a poster's QR code; /s/<code> sends the reader to
    `target` (a path on this site). One link per target: every poster of a page carries the
    same one."""

    code = models.CharField(_("code"), max_length=16, unique=True, default=new_short_code)
    target = models.CharField(_("target path"), max_length=500, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("short link")

    def __str__(self):
        return f"/s/{self.code}"

    def clean(self):
        super().clean()
        if not self.target.startswith("/") or self.target.startswith("//"):
            raise ValidationError({"target": _("A path on this site, starting with a single /.")})

    @classmethod
    def for_target(cls, target: str) -> "ShortLink":
        """The link to `target` (a path on this site), made on first use."""
        if not target.startswith("/") or target.startswith("//"):
            raise ValueError("short links lead to paths on this site only")
        for _attempt in range(5):
            found = cls.objects.filter(target=target).first()
            if found is not None:
                return found
            try:
                with transaction.atomic():
                    return cls.objects.create(target=target)
            except IntegrityError:  # the same target made at once, or (rarely) the code taken
                continue
        return cls.objects.get(target=target)


def validate_colour(value: str) -> None:
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("A colour such as #5b2a86."))


@register_setting(icon="doc-full")
class PosterDesign(BaseSiteSetting):
    """How posters and leaflets look (Settings > Poster design)."""

    headline = models.CharField(
        _("call to action"),
        max_length=120,
        default="Find out more and book",
        help_text=_("Printed above the QR code of an event or course poster."),
    )
    membership_title = models.CharField(_("membership invitation title"), max_length=120, default="Join the network")
    membership_text = models.TextField(
        _("membership invitation text"),
        default="A community led by survivors: peer support, training and a voice in the decisions that affect us.",
    )
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#5b2a86", validators=[validate_colour])
    footer_text = models.CharField(
        _("footer text"), max_length=200, blank=True, help_text=_("For example a charity number or a phone line.")
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    discreet_title = models.CharField(
        _("discreet title"),
        max_length=80,
        default="Free workshop",
        help_text=_(
            "The discreet version names neither the organisation nor survivors: a neutral title "
            "such as 'Free workshop'. No logo, no summary; the date and the short link only."
        ),
    )
    discreet_membership_title = models.CharField(
        _("discreet membership title"), max_length=80, default="Free support group"
    )
    discreet_text = models.CharField(
        _("discreet text"), max_length=200, default="Open to everyone. Scan the code or type the link for details."
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("headline"), FieldPanel("membership_title"), FieldPanel("membership_text")],
            heading=_("Words"),
        ),
        MultiFieldPanel(
            [FieldPanel("accent_colour"), FieldPanel("logo"), FieldPanel("footer_text")], heading=_("Look")
        ),
        MultiFieldPanel(
            [FieldPanel("discreet_title"), FieldPanel("discreet_membership_title"), FieldPanel("discreet_text")],
            heading=_("Discreet version"),
        ),
    ]

    class Meta:
        verbose_name = _("poster design")

    @classmethod
    def current(cls) -> "PosterDesign":
        """The default site's design, or the defaults (never creates a row on read)."""
        return cls.objects.filter(site__is_default_site=True).select_related("logo").first() or cls()
