"""Blocks for module content: the shared content blocks plus documents, reflection and a quiz."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from cms.blocks import EmbedLinkBlock, HeadingBlock


class ReflectionBlock(blocks.StructBlock):
    prompt = blocks.TextBlock(help_text=_("A question to think about. Answers are not collected."))

    class Meta:
        icon = "help"
        template = "blocks/reflection_block.html"
        preview_value = {"prompt": "Think of a time you spoke up. What helped you?"}


class QuizQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=300)
    choices = blocks.ListBlock(blocks.CharBlock(max_length=200), min_num=2)
    correct_choice = blocks.IntegerBlock(min_value=1, help_text=_("Number of the right answer, counting from 1."))

    def clean(self, value):
        value = super().clean(value)
        if value["correct_choice"] > len(value["choices"]):
            raise ValidationError(_("The right answer must be one of the choices."))
        return value


class QuizBlock(blocks.StructBlock):
    title = blocks.CharBlock(default="Check your understanding", max_length=120)
    pass_mark = blocks.IntegerBlock(min_value=0, max_value=100, default=70, help_text=_("Percentage needed to pass."))
    questions = blocks.ListBlock(QuizQuestionBlock(), min_num=1)

    class Meta:
        icon = "tick-inverse"
        template = "blocks/quiz_block.html"


class ModuleStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ul", "ol", "h3", "h4", "document-link"],
        icon="pilcrow",
        template="blocks/paragraph_block.html",
    )
    video = EmbedLinkBlock()
    document = DocumentChooserBlock(template="blocks/document_block.html")
    reflection = ReflectionBlock()
    quiz = QuizBlock()

    class Meta:
        block_counts = {"quiz": {"max_num": 1}}
