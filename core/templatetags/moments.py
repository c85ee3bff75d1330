"""Times in templates: `<time datetime="{{ moment|html_datetime }}">`.

Django's `date:"c"` writes microseconds (`2026-12-03T10:58:07.123456+00:00`), which is not a
valid HTML datetime value (at most three digits of a second); this writes whole seconds.
"""

from datetime import date, datetime

from django import template

register = template.Library()


@register.filter
def html_datetime(value) -> str:
    """A date or datetime as a valid HTML `datetime` attribute value ("" for anything else).
    Aware times keep their offset, so the value is exact whatever zone the text shows."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return ""
