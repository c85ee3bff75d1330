from config.settings.bench import *  # noqa

DROP = {"wagtail.contrib.redirects", "wagtail.snippets"}
INSTALLED_APPS = [a for a in INSTALLED_APPS if a not in DROP]
MIDDLEWARE = [m for m in MIDDLEWARE if "redirects" not in m]
