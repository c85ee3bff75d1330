"""Numbers in templates: `{{ course.hours|hours }} hour{{ course.hours|pluralize }}`."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def hours(value) -> str:
    """Hours as people write them: 12, 1.5, 0.5 (never "12.0"). "" for anything not a number."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    if not number.is_finite():
        return ""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
