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


# The count a fraction of an hour stands for in a plural message: gettext's plural rules take
# whole numbers only (Python warns, and will refuse, for others), and CLDR puts fractions in the
# "other" form, which 100 selects in English, Albanian, Vietnamese and Arabic alike.
FRACTION_COUNT = 100


@register.filter
def hours_count(value) -> int:
    """Hours as the count of a plural message (`{% blocktranslate count counter=x|hours_count %}`):
    a whole number as itself, a fraction as FRACTION_COUNT, 0 for anything not a number."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return 0
    if not number.is_finite():
        return 0
    return int(number) if number == number.to_integral_value() else FRACTION_COUNT
