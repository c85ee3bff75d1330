"""Reads used by more than one view or service."""

from wagtail import hooks

from core.hooks import CERTIFICATE_SOURCES_HOOK


def bulk_sources() -> dict[str, dict]:
    """What staff can bulk-issue for, from the apps that hold achievements (training,
    events): {key: {"label", "qualifying": callable returning issue kwargs}}."""
    sources: dict[str, dict] = {}
    for provider in hooks.get_hooks(CERTIFICATE_SOURCES_HOOK):
        sources.update(provider())
    return sources
