"""The one StreamField vocabulary that content pages share."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3")), ("h4", _("Heading 4"))],
        default="h2",
        help_text=_("Use heading 2 for main sections; heading 3 and 4 only inside them."),
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        preview_value = {"text": "Our next steps together", "level": "h2"}


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(
        required=False,
        help_text=_("Use a first name or role only with the person's written consent."),
    )

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        preview_value = {"text": "Leadership is a skill we grow together.", "attribution": "A survivor leader"}


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    page = blocks.PageChooserBlock(required=False)
    external_url = blocks.URLBlock(required=False, help_text=_("Used only when no page is chosen."))
    button_label = blocks.CharBlock(max_length=40, default="Find out more")

    class Meta:
        icon = "pick"
        template = "blocks/call_to_action_block.html"
        preview_value = {"title": "Volunteer with us", "text": "Give an hour a month.", "button_label": "Sign up"}


class EmbedLinkBlock(blocks.StructBlock):
    """An outside video or audio, shown as a link rather than an embedded player.

    Embedded players load third-party scripts and trackers the moment the page opens,
    which would tell another company who is reading this site.
    """

    url = blocks.URLBlock(help_text=_("For example a YouTube or Vimeo address."))
    title = blocks.CharBlock(max_length=200)
    description = blocks.TextBlock(required=False)

    class Meta:
        icon = "media"
        label = _("Embed (shown as a link)")
        template = "blocks/embed_link_block.html"
        preview_value = {"url": "https://www.youtube.com/watch?v=example", "title": "Our story in three minutes"}


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=250)
    answer = blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"])


class FaqBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, max_length=120)
    items = blocks.ListBlock(FaqItemBlock())

    class Meta:
        icon = "help"
        label = _("FAQ / accordion")
        template = "blocks/faq_block.html"
        preview_value = {
            "title": "Questions",
            "items": [{"question": "Is it free?", "answer": "<p>Yes, for survivor leaders.</p>"}],
        }


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ul", "ol", "h3", "h4", "document-link"],
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        preview_value="<p>Survivor leaders shape everything we do.</p>",
    )
    image = ImageBlock(template="blocks/image_block.html")
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    embed = EmbedLinkBlock()
    faq = FaqBlock()
