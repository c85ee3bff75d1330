"""The site's logging, configured from settings.LOGGING with the JSON format, writing into memory:
what the log tests read (core/tests/test_json_logs.py, test_no_personal_data_in_logs.py)."""

import io
import json
import logging
import logging.config
from copy import deepcopy

from django.conf import settings


class LogCapture:
    """The site's logging configured as settings.LOGGING says, with the JSON format, writing into
    memory; every logger at DEBUG through the root (loggers pinned higher, stripe and
    weasyprint, keep their level, as in production)."""

    def __init__(self):
        self.buffer = io.StringIO()

    def start(self):
        config = deepcopy(settings.LOGGING)
        config["handlers"]["console"]["formatter"] = "json"
        config["root"]["level"] = "DEBUG"
        logging.config.dictConfig(config)
        for handler in logging.getLogger().handlers:
            if handler.get_name() == "console":
                handler.setStream(self.buffer)

    def stop(self):
        logging.config.dictConfig(settings.LOGGING)

    def text(self) -> str:
        return self.buffer.getvalue()

    def records(self) -> list[dict]:
        """Every line, each parsed as one JSON object (a line that is not one fails the test)."""
        return [json.loads(line) for line in self.text().splitlines() if line.strip()]

    def access(self) -> list[dict]:
        return [record for record in self.records() if record["logger"] == "core.access"]
