import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

# Production settings: no start with the demo secrets published in the repository.
from core.deploy_checks import refuse_to_start_with_published_secrets  # noqa: E402

refuse_to_start_with_published_secrets()
