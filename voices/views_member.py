"""STUB: being written (session of 2026-12-04)."""

from django.http import Http404


def opportunities(request, *args, **kwargs):
    raise Http404


def opportunity(request, *args, **kwargs):
    raise Http404


def engagement(request, *args, **kwargs):
    raise Http404


def expense_new(request, *args, **kwargs):
    raise Http404


def expense_receipt(request, *args, **kwargs):
    raise Http404


def thanks(request, *args, **kwargs):
    raise Http404
