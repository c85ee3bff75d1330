"""STUB: being written (session of 2026-12-04)."""

from django.http import Http404


def results(request, *args, **kwargs):
    raise Http404


def questionnaire(request, *args, **kwargs):
    raise Http404


def questions(request, *args, **kwargs):
    raise Http404
