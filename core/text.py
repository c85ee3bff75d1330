"""Text staff type that travels on to calendars, email headers and other line-based formats.

A line break or other control character in a title ends a line of an .ics file or an email
header early, and what follows it could be read as a property of its own (an injected
`ATTENDEE:`). Titles and other one-line texts refuse them when saved (`refuse_control_characters`);
builders of line-based formats clean what they are given anyway (`one_line`, `plain_lines`),
so older content cannot break them either.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
_CONTROL = "\x00-\x1f\x7f-\x9f\u2028\u2029"
CONTROL_CHARACTERS = re.compile(f"[{_CONTROL}]")
CONTROL_CHARACTERS_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"[ \t]*(?:\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029])\s*")


def one_line(text: str | None, *, lines_joined_by: str = " ") -> str:
    """`text` on one line: line breaks become `lines_joined_by`, other control characters and
    runs of spaces a single space."""
    text = LINE_BREAKS.sub(lines_joined_by, str(text or "").strip())
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())


def plain_lines(text: str | None) -> str:
    """`text` keeping its line breaks (as "\\n"), without any other control character."""
    lines = str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(" ".join(CONTROL_CHARACTERS_BUT_LINE_BREAKS.sub(" ", line).split()) for line in lines).strip()


def refuse_control_characters(value: str | None, *, multiline: bool = False) -> None:
    """Raise ValidationError when `value` holds a control character (for a one-line text, a
    line break too), with a message an editor can act on."""
    pattern = CONTROL_CHARACTERS_BUT_LINE_BREAKS if multiline else CONTROL_CHARACTERS
    if value and pattern.search(str(value)):
        if multiline:
            raise ValidationError(
                _(
                    "This text holds an invisible control character (often pasted from another program). "
                    "Retype the text or paste it as plain text."
                ),
                code="control_characters",
            )
        raise ValidationError(
            _(
                "This must be one line: remove the line break or other invisible control character "
                "(often pasted from another program)."
            ),
            code="control_characters",
        )


def clean_fields_of(instance, *, one_line_fields=(), multiline_fields=()) -> None:
    """For a model's `clean()`: refuse control characters in the named fields, each error
    shown on its own field."""
    errors = {}
    for name, multiline in [(n, False) for n in one_line_fields] + [(n, True) for n in multiline_fields]:
        try:
            refuse_control_characters(getattr(instance, name, ""), multiline=multiline)
        except ValidationError as error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)
