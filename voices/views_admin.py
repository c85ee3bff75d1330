"""STUB: being written (session of 2026-12-04)."""

from django.http import Http404


def requests(request, *args, **kwargs):
    raise Http404


def request_detail(request, *args, **kwargs):
    raise Http404


def request_publish(request, *args, **kwargs):
    raise Http404


def opportunity(request, *args, **kwargs):
    raise Http404


def engagement(request, *args, **kwargs):
    raise Http404


def fee_policies(request, *args, **kwargs):
    raise Http404


def fee_policy_edit(request, *args, **kwargs):
    raise Http404


def flagged(request, *args, **kwargs):
    raise Http404
