"""STUB: being written (session of 2026-12-04)."""

from django.http import Http404


def request_new(request, *args, **kwargs):
    raise Http404


def request_sent(request, *args, **kwargs):
    raise Http404


def partner_requests(request, *args, **kwargs):
    raise Http404


def request_status(request, *args, **kwargs):
    raise Http404


def request_pay(request, *args, **kwargs):
    raise Http404
