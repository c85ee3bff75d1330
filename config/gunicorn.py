"""gunicorn settings for Thrive, for `make run` (serve_local) and production alike:
`gunicorn -c config/gunicorn.py config.wsgi:application --bind 127.0.0.1:8000`.

A worker killed outright (SIGKILL, the out-of-memory killer, a crash in a C library) loses
the connections it had accepted. gunicorn's threaded worker accepts up to
`worker_connections` (default 1000) connections and queues them for its threads, so one
dying worker dropped every request waiting in its queue (14 in the issue's test). Here a
worker accepts no more connections than it has threads (`worker_connections = threads`):
the rest wait in the listening socket's backlog, which every worker shares and which
survives any one worker, so a dying worker costs only the requests its threads were
answering. Measured by bench/worker_kill.py (64 clients on the sign-in page for 4 s, one of
two workers killed halfway, 2 shared cores): the old flags (`--workers 2 --threads 4`) lost
5, 26 and 16 requests in three trials, these settings 3, 3 and 4 (never more than `threads`),
for about 10-30% less throughput on a saturated machine. Keep-alive is off between the proxy
and gunicorn, since a kept-alive idle connection would hold one of those few places.

Workers are restarted after about 1000 requests (jittered so they do not all restart at
once), gracefully: no request is dropped.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_connections = threads
keepalive = 0
max_requests = 1000
max_requests_jitter = 100
timeout = 30
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))

# Logs: with LOG_FORMAT=json (production's default) gunicorn's own lines (worker started, timed
# out, killed) are JSON objects too, so every line a host writes parses (core/logging.py). Its
# access log stays off: the site writes its own (core.logging.RequestIdMiddleware), with URL
# patterns instead of addresses, no query strings and no client addresses.
_settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
if os.environ.get("LOG_FORMAT", "json" if _settings_module.endswith(".production") else "plain").lower() == "json":
    logconfig_dict = {
        "root": {"level": "WARNING", "handlers": ["error_console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
        "handlers": {
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    }
