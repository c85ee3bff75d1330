"""STUB: being written (session of 2026-12-04)."""

from django.http import Http404


def payouts(request, *args, **kwargs):
    raise Http404


def payouts_export(request, *args, **kwargs):
    raise Http404


def payout(request, *args, **kwargs):
    raise Http404
