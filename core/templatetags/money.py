"""`{% load money %}` then `{{ amount_minor|money:currency }}`: money in templates through
the one formatter (`core.money.format_money`), "$20.00"."""

from django import template

from core.money import format_money

register = template.Library()


@register.filter
def money(amount_minor, currency) -> str:
    if amount_minor is None or amount_minor == "":
        return ""
    return format_money(int(amount_minor), currency)
