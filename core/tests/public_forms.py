"""What the no-enumeration test (core/tests/test_no_enumeration.py) needs to find and compare
the site's public forms: every route of config.urls, the POST forms a page holds (with their
submit buttons, which allauth's forms need), and a page's visible text with one-time values
taken out."""

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.urls import URLPattern, URLResolver, get_resolver

# An input a person types an email address or a name into.
PERSON_FIELD = re.compile(r"(^|[_-])(e-?mail|login|name|username)$", re.IGNORECASE)
TYPED_KINDS = {"text", "email", "search", "tel", "url"}


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, e.g. "events/<int:pk>/book/"
    name: str | None  # "events:book", or None for an unnamed route
    takes_arguments: bool


def routes() -> list[Route]:
    """Every route of the site's URL configuration, with its namespaced name."""
    found: list[Route] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for item in patterns:
            if isinstance(item, URLResolver):
                inner = namespace
                if item.namespace:
                    inner = f"{namespace}:{item.namespace}" if namespace else item.namespace
                walk(item.url_patterns, prefix + str(item.pattern), inner)
            elif isinstance(item, URLPattern):
                name = item.name and (f"{namespace}:{item.name}" if namespace else item.name)
                regex = item.pattern.regex
                takes = bool(regex.groups) or "<" in str(item.pattern)
                found.append(Route(prefix + str(item.pattern), name, takes))

    walk(get_resolver().url_patterns, "", None)
    return found


@dataclass
class Input:
    name: str
    kind: str  # the input's type, "select", "textarea" or "button"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class PostForm:
    action: str
    inputs: dict[str, Input]
    buttons: list[Input]

    def person_inputs(self) -> list[str]:
        """The inputs a person types an email address or a name into."""
        return [
            item.name
            for item in self.inputs.values()
            if item.kind == "email" or (item.kind in TYPED_KINDS and PERSON_FIELD.search(item.name))
        ]

    @property
    def signature(self) -> str:
        """Which form this is, whatever object its page was built for: its inputs' names and
        kinds, and its buttons' names."""
        inputs = ",".join(sorted(f"{item.name}:{item.kind}" for item in self.inputs.values()))
        return inputs + " " + ",".join(button.name for button in self.buttons)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PostForm] = []
        self._form: PostForm | None = None
        self._select: Input | None = None
        self._textarea: Input | None = None

    def handle_starttag(self, tag, attrs):
        a = {key: (value or "") for key, value in attrs}
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = PostForm(a.get("action", ""), {}, []) if method == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
            return
        kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
        if tag == "button" or (tag == "input" and kind in ("submit", "image")):
            if a.get("name"):
                self._form.buttons.append(Input(a["name"], "button", a.get("value", "")))
            return
        if not a.get("name"):
            return
        if tag == "input":
            if kind in ("reset", "button"):
                return
            existing = self._form.inputs.get(a["name"])
            if kind in ("radio", "checkbox"):
                item = existing or Input(a["name"], kind)
                item.options.append(a.get("value", "on"))
                if "checked" in a:
                    item.value = a.get("value", "on")
                self._form.inputs[a["name"]] = item
                return
            self._form.inputs[a["name"]] = Input(a["name"], kind, a.get("value", ""))
        elif tag == "select":
            self._select = Input(a["name"], "select")
            self._form.inputs[a["name"]] = self._select
        elif tag == "textarea":
            self._textarea = Input(a["name"], "textarea")
            self._form.inputs[a["name"]] = self._textarea

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


def post_forms(page_html: str) -> list[PostForm]:
    parser = _FormParser()
    parser.feed(page_html)
    return parser.forms


# Values that differ from one request to the next whoever asks: signed tokens, uuids, ticket
# and certificate codes, booking references, times. Replaced before two answers are compared.
_ONE_TIME = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I), "<uuid>"),
    (re.compile(r"[A-Za-z0-9_\-:.%=]{20,}"), "<token>"),
    (re.compile(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){1,4}\b"), "<code>"),
    (re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"), "<time>"),
]


def visible_text(page_html: str, typed: list[str]) -> str:
    """The text a visitor reads (no tags, scripts or styles), with what they typed and the
    one-time values replaced, whitespace collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    return normalise(text, typed)


def normalise(text: str, typed: list[str]) -> str:
    for value in sorted((v for v in typed if v), key=len, reverse=True):
        text = re.sub(re.escape(value), "<typed>", text, flags=re.I)
    for pattern, replacement in _ONE_TIME:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())
