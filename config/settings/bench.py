"""bench/pages.py: the `make run` site with one extra bare view to compare against."""

from .e2e import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
