"""Links that tasks print in PDFs and emails: the same paths as the site's, and building them
(with the template engine started) imports neither the site's URLconf nor icalendar."""

import subprocess
import sys

from django.conf import settings
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from core.links import LINK_URLCONF, absolute_url


def _names(resolver: URLResolver, namespace: str = "") -> list[str]:
    names = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            names += _names(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif entry.name:
            names.append(namespace + entry.name)
    return names


def test_every_link_is_the_path_the_site_serves():
    names = _names(get_resolver(LINK_URLCONF))
    assert "certificates:verify_code" in names
    for name in names:
        try:
            args = []
            reverse(name, urlconf=LINK_URLCONF)
        except NoReverseMatch:  # a page about one certificate
            args = ["ABCD-EFGH-JKMN-PQRS"]
        assert reverse(name, args=args, urlconf=LINK_URLCONF) == reverse(name, args=args)
    assert absolute_url("certificates:verify_code", "ABCD-EFGH-JKMN-PQRS") == (
        f"{settings.SITE_URL.rstrip('/')}/verify/ABCD-EFGH-JKMN-PQRS/"
    )


def test_a_worker_builds_links_and_renders_templates_without_the_site_urlconf_or_icalendar():
    script = (
        "import sys, django; django.setup();"
        "from django.template import engines; engines.all();"
        "from core.links import absolute_url; print(absolute_url('certificates:verify_code', 'X'));"
        "print(sorted(m for m in ('config.urls', 'allauth.urls', 'icalendar') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    assert result.stdout.splitlines()[-1] == "[]", result.stdout + result.stderr
