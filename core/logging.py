"""Logs: one JSON object per line (or plain lines for `make run`), each carrying the request
id, with nothing personal in them.

- `RequestIdMiddleware` (first in MIDDLEWARE) takes the load balancer's X-Request-ID when it is
  a short token of safe characters, or makes one, keeps it in a context variable for the
  request's log lines, returns it in the response's X-Request-ID, and writes the access line
  (method, path, status, milliseconds) that gunicorn's access log, which is off, would have.
- Paths are logged as the URL pattern that answered (`/membership/welcome/<str:token>/`), never
  as typed: addresses hold secrets (signed checkout links, ticket codes, welcome, reset and
  invitation tokens, calendar feeds, gift cancel links). A path no pattern claims, or a Wagtail
  page's (public slugs), is logged with any segment that looks like a secret replaced.
  Query strings are never logged.
- `RequestContextFilter` (on the handler) adds `request_id` and `task_id` to every record and
  rewrites the paths in Django's own request and security warnings the same way.
- Both formatters replace anything shaped like an email address with "[email]": a last net
  for exception messages (a database error quoting a duplicate address, say).
- A task queued during a request is logged (django.tasks, "enqueued") with that request's id
  and the task's id; every line a task writes while it runs carries `task_id`.
"""

import contextvars
import json
import logging
import re
import secrets
import time
from datetime import UTC, datetime

from django.urls import Resolver404, resolve

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
task_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)

# What we accept from the load balancer: letters, digits and . _ : - only, at most 64 (a UUID
# is 36). Anything else (too long, spaces, quotes, line breaks) is replaced by our own id.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A path segment that may be a secret: long, or mixing letters and digits past a short code, or
# holding a signature's colon. Wagtail slugs are words with hyphens and survive this.
_SECRET_SEGMENT = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_:.=~-]{12,}$|^.{33,}$|:")
HEALTH_PATHS = ("/healthz", "/readyz")

access_logger = logging.getLogger("core.access")


def new_request_id() -> str:
    return secrets.token_hex(16)


def accepted_request_id(value: str | None) -> str | None:
    return value if value and REQUEST_ID_PATTERN.fullmatch(value) else None


def redact_email_addresses(text: str) -> str:
    return EMAIL_PATTERN.sub("[email]", text)


def redact_path(path: str) -> str:
    """`path` with every segment that could be a secret replaced by "[redacted]"."""
    return "/".join("[redacted]" if _SECRET_SEGMENT.search(part) else part for part in path.split("/"))


def loggable_path(request) -> str:
    """The URL pattern that answered `request`, or its path with secrets redacted (see module)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    route = getattr(match, "route", None) if match is not None else None
    if route and "<" in route:
        return request.path[: len(request.path) - len(request.path_info)] + "/" + route
    return redact_path(request.path)


class RequestIdMiddleware:
    """First in MIDDLEWARE: see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accepted_request_id(request.headers.get("X-Request-ID")) or new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self._log(request, response.status_code, started)
            return response
        finally:
            request_id_var.reset(token)

    def _log(self, request, status: int, started: float) -> None:
        milliseconds = round((time.perf_counter() - started) * 1000, 1)
        path = loggable_path(request)
        # Load balancers ask every few seconds: their answers are worth a line only when unwell.
        level = logging.DEBUG if request.path in HEALTH_PATHS and status == 200 else logging.INFO
        access_logger.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            path,
            status,
            milliseconds,
            extra={"method": request.method, "path": path, "status": status, "duration_ms": milliseconds},
        )


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `task_id` to every record; rewrites the path Django's request and
    security loggers put in their messages ("Not Found: /membership/welcome/<token>/")."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "task_id", None) is None:
            record.task_id = task_id_var.get()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path") and record.args:
            safe = loggable_path(request)
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(safe if arg == request.path else arg for arg in args)
        return True


def _base_fields(record) -> dict:
    return {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": record.levelname,
        "logger": record.name,
        "message": None,
        "request_id": getattr(record, "request_id", None) or request_id_var.get(),
    }


ACCESS_FIELDS = ("method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id; task_id while a
    task runs; method, path, status, duration_ms on access lines; exception (type and traceback)."""

    def format(self, record):
        fields = _base_fields(record)
        fields["message"] = redact_email_addresses(record.getMessage())
        task_id = getattr(record, "task_id", None) or task_id_var.get()
        if task_id:
            fields["task_id"] = task_id
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                fields[name] = getattr(record, name)
        if record.exc_info:
            fields["exception"] = redact_email_addresses(self.formatException(record.exc_info))
        elif record.exc_text:
            fields["exception"] = redact_email_addresses(record.exc_text)
        return json.dumps(fields, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """`time level logger [request id] message`, for a terminal (`make run`, tests)."""

    def __init__(self, fmt=None, datefmt=None, style="%", **kwargs):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s %(context)s%(message)s", datefmt, style, **kwargs)

    def format(self, record):
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        task_id = getattr(record, "task_id", None) or task_id_var.get()
        context = " ".join(part for part in (request_id and f"[{request_id}]", task_id and f"[task {task_id}]") if part)
        record.context = f"{context} " if context else ""
        return redact_email_addresses(super().format(record))


tasks_logger = logging.getLogger("core.tasks")
_running_tasks: dict[str, contextvars.Token] = {}


def task_enqueued(sender, task_result, **kwargs):
    """django.tasks' task_enqueued: one line joining the request's id (from the context) and
    the task's id, which every line the task writes carries."""
    tasks_logger.info("task %s queued: %s", task_result.id, task_result.task.module_path)


def task_started(sender, task_result, **kwargs):
    """django.tasks' task_started: the task's log lines carry its id."""
    _running_tasks[str(task_result.id)] = task_id_var.set(str(task_result.id))


def task_finished(sender, task_result, **kwargs):
    token = _running_tasks.pop(str(task_result.id), None)
    if token is not None:
        try:
            task_id_var.reset(token)
        except ValueError:  # set in another context (a worker thread of its own): just clear it
            task_id_var.set(None)
