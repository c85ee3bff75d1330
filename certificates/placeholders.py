"""The placeholders of a certificate template's text: {name}, {course}, {date}, {hours}.

Staff type the text, so it is never given to `str.format` (which would evaluate attribute
look-ups such as `{name.__class__}` and format specs such as `{hours:X>2000000}`, a 2 MB
string). `placeholder_problems` tells the template form what is wrong in plain words;
`fill_placeholders` replaces exactly the four plain placeholders in one pass and leaves any
other brace text as it stands. `{{` and `}}` print one brace, as they always have.
"""

import re

from django.utils.translation import gettext as _

PLACEHOLDERS = ("name", "course", "date", "hours")
MAX_TEXT_LENGTH = 1000  # about three times the longest real certificate sentence

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def _allowed() -> str:
    """ "{name}, {course}, {date} and {hours}", in the language active."""
    return _("%(first)s and %(last)s") % {
        "first": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS[:-1]),
        "last": f"{{{PLACEHOLDERS[-1]}}}",
    }


def placeholder_problems(text: str) -> list[str]:
    """What a person must change in `text` before it can be used, in plain words (empty if fine)."""
    problems: list[str] = []
    if len(text) > MAX_TEXT_LENGTH:
        problems.append(
            _("Keep the text under %(limit)s characters (it has %(length)s).")
            % {"limit": MAX_TEXT_LENGTH, "length": len(text)}
        )
    for match in _TOKEN.finditer(text):
        piece, inner = match.group(0), match.group(1)
        if piece in ("{{", "}}"):
            continue
        if inner is None:
            problems.append(_("A lone “%(piece)s” is not allowed: write {{ or }} to print a brace.") % {"piece": piece})
        elif inner not in PLACEHOLDERS:
            problems.append(
                _("“%(piece)s” is not a placeholder: use only %(allowed)s, exactly as written here.")
                % {"piece": piece, "allowed": _allowed()}
            )
    return list(dict.fromkeys(problems))


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """`text` with each plain placeholder replaced by its value (as text). Nothing in `text`
    is evaluated; anything that is not one of the four placeholders is printed as typed."""

    def replace(match: re.Match) -> str:
        piece, inner = match.group(0), match.group(1)
        if piece == "{{":
            return "{"
        if piece == "}}":
            return "}"
        if inner in PLACEHOLDERS:
            return str(values.get(inner, ""))
        return piece

    return _TOKEN.sub(replace, text)
