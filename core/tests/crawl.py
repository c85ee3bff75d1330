"""Find the site's forms and query parameters by walking its pages with the Django test client,
as a visitor would (for the hostile-input tests): every <form> with its fields, and every
query parameter that a link or a GET form on a page sends."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

SKIP_PREFIXES = ("/admin/", "/django-admin/", "/documents/", "/static/", "/media/", "/accounts/logout/")
SKIP_SUFFIXES = (".pdf", ".ics", ".svg", ".png", ".jpg", ".css", ".js", ".json", ".xml")


@dataclass
class Field:
    name: str
    kind: str  # text, email, number, checkbox, radio, select, textarea, hidden, date, password, file...
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str  # path with query
    method: str
    fields: dict[str, Field]

    @property
    def kind(self) -> str:
        """The form's action with numbers and tokens replaced, so one event's booking form
        stands for every event's."""
        path = urlsplit(self.action).path
        path = re.sub(r"/\d+/", "/<n>/", path)
        path = re.sub(r"/[A-Za-z0-9_:\-]{20,}/", "/<token>/", path)
        return f"{self.method} {path} " + ",".join(sorted(self.fields))


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "method": (a.get("method") or "get").upper(), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            existing = self._form["fields"].get(a["name"])
            if kind in ("radio", "checkbox") and existing is not None:
                existing.options.append(a.get("value", "on"))
                if "checked" in a:
                    existing.value = a.get("value", "on")
                return
            value = a.get("value", "on" if kind in ("radio", "checkbox") else "")
            options = [value] if kind in ("radio", "checkbox") else []
            initial = value if kind not in ("radio", "checkbox") or "checked" in a else ""
            self._form["fields"][a["name"]] = Field(a["name"], kind, initial, options)
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form["fields"][a["name"]] = self._select
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a or not self._select.value:
                self._select.value = a.get("value", "")
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form["fields"][a["name"]] = self._textarea

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@dataclass
class Crawl:
    pages: list[str] = field(default_factory=list)
    forms: dict[str, Form] = field(default_factory=dict)  # by kind: the first one found
    query_params: dict[str, set[str]] = field(default_factory=dict)  # path -> parameter names
    query_values: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (path, name) -> values seen


def crawl(client, start: list[str], *, max_pages: int = 120, skip: tuple[str, ...] = ()) -> Crawl:
    """Walk the site from `start` (paths) with `client`, GET only, following same-site links
    (not those under the `skip` prefixes)."""
    skip_prefixes = SKIP_PREFIXES + tuple(skip)
    found = Crawl()
    queue, seen = list(start), set()
    while queue and len(found.pages) < max_pages:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc not in ("testserver",):
            continue
        path = parts.path or "/"
        key = path + ("?" + parts.query if parts.query else "")
        if key in seen or path.startswith(skip_prefixes) or path.endswith(SKIP_SUFFIXES):
            continue
        seen.add(key)
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            found.query_params.setdefault(path, set()).add(name)
            found.query_values.setdefault((path, name), set()).add(value)
        response = client.get(key)
        if response.status_code in (301, 302) and response.get("Location"):
            queue.append(urljoin(key, response["Location"]))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        found.pages.append(key)
        parser = _PageParser()
        parser.feed(response.content.decode("utf-8", "replace"))
        for link in parser.links:
            if link.startswith(("mailto:", "tel:", "#", "javascript:")):
                continue
            queue.append(urljoin(key, link))
        for raw in parser.forms:
            action = urljoin(key, raw["action"] or key)
            action_parts = urlsplit(action)
            if action_parts.netloc not in ("", "testserver") or action_parts.path.startswith(skip_prefixes):
                continue
            action = action_parts.path + ("?" + action_parts.query if action_parts.query else "")
            form = Form(page=key, action=action, method=raw["method"], fields=raw["fields"])
            found.forms.setdefault(form.kind, form)
            if form.method == "GET":
                params = found.query_params.setdefault(action_parts.path, set())
                for item in form.fields.values():
                    params.add(item.name)
                    values = found.query_values.setdefault((action_parts.path, item.name), set())
                    values.update(item.options or [item.value])
    return found
