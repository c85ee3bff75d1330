"""STUB: being written (session of 2026-12-04)."""

from django.http import Http404


def subscribe(request, *args, **kwargs):
    raise Http404


def subscribe_sent(request, *args, **kwargs):
    raise Http404


def confirm(request, *args, **kwargs):
    raise Http404


def unsubscribe(request, *args, **kwargs):
    raise Http404
