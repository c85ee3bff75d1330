"""A visitor for the two-host test: plain http.client requests (no redirects followed), its own
cookies, and a loopback source address of its own, so HAProxy and the site see distinct visitors.

A visitor talks either to HAProxy (HTTPS, as browsers do) or straight to one app host. Straight
to a host it plays HAProxy's part as deploy/haproxy.cfg writes it: the connection comes from
127.0.0.1 (HAProxy's address, FORWARDED_ALLOW_IPS) and carries X-Forwarded-Proto: https and
X-Forwarded-For: <the visitor's address>. Cookies are sent to either, so a session made on one
host can be tried on the other, as HAProxy would send it there.
"""

import http.client
import json
import re
import ssl
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie


@dataclass(frozen=True)
class Target:
    """Where requests go: HAProxy's HTTPS frontend, or one app host's gunicorn (plain HTTP)."""

    name: str
    host: str
    port: int
    tls: ssl.SSLContext | None = None


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def json(self):
        return json.loads(self.body)


@dataclass
class Visitor:
    public_host: str  # the Host header browsers send: the site's host name and HAProxy's port
    address: str = "127.0.0.1"  # the visitor's own (loopback) address
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def request(self, target: Target, method: str, path: str, *, data=None, headers=None) -> Answer:
        """One request; raises OSError / http.client errors when the connection fails."""
        headers = {"Host": self.public_host} | dict(headers or {})
        if target.tls is not None:
            conn = http.client.HTTPSConnection(
                target.host, target.port, timeout=self.timeout, context=target.tls, source_address=(self.address, 0)
            )
        else:
            conn = http.client.HTTPConnection(target.host, target.port, timeout=self.timeout)
            headers |= {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True)
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{self.public_host}"}
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            conn.close()
        for value in answer.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def get(self, target: Target, path: str, **kwargs) -> Answer:
        return self.request(target, "GET", path, **kwargs)

    def post(self, target: Target, path: str, data: dict, **kwargs) -> Answer:
        return self.request(target, "POST", path, data=data, **kwargs)

    def form(self, target: Target, path: str, *, form_id: str | None = None) -> dict[str, str]:
        """GET a page and return its form's fields as a browser would send them unchanged."""
        answer = self.get(target, path)
        assert answer.status == 200, (path, answer.status)
        return form_fields(answer.text, form_id=form_id)


class _FormParser(HTMLParser):
    """The fields of one form (the first with a csrf token, or the one with `form_id`), as a
    browser submits them: text and hidden inputs, checked boxes and radios, textareas, the
    selected (or first) option of each select. Buttons are left out: the caller picks one."""

    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.done:
            self.inside = self.form_id is None or attrs.get("id") == self.form_id
            if self.inside:
                self.fields = {}
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
            if self.form_id is not None or "csrfmiddlewaretoken" in self.fields:
                self.done = True
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            self.fields.setdefault(self._select, self._first_option or "")
            self._select = None

    def handle_data(self, data):
        if self._textarea and self.inside:
            self.fields[self._textarea] += data


def form_fields(html: str, *, form_id: str | None = None) -> dict[str, str]:
    parser = _FormParser(form_id)
    parser.feed(html)
    if not parser.done:
        raise AssertionError(f"no form {form_id or 'with a CSRF token'} in the page")
    # A browser drops the newline that starts a textarea's content.
    return {name: value[1:] if value.startswith("\n") else value for name, value in parser.fields.items()}


def data_attribute(html: str, name: str) -> str:
    """The value of the first `data-<name>="..."` attribute in the page."""
    match = re.search(rf'data-{re.escape(name)}="([^"]*)"', html)
    assert match, f"no data-{name} in the page"
    return match.group(1)
