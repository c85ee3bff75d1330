"""Finding English left in a page or an email rendered in another language (issue 16).

Two ways, both comparing with the English rendering of the same thing:
(i) a message of the catalogue (3 words or more) found verbatim in the translated rendering:
    it was marked but is not translated, or is translated to itself;
(ii) a text (text node, or a reader-facing attribute: aria-label, title, placeholder, alt, a
    button's value, a string of a JSON block given to a script) that is the same in both
    renderings, with 3 English-looking words or more, and that is not content from the
    database nor a name: a string of our code that was never marked for translation.
"""

import contextlib
import html
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED_LANGUAGES = ["sq", "vi", "ar"]

# Words of any script; English ones are those of Latin letters without accents (not part of a
# code like "FQZ3-J8WE", an identifier like "list_as_alumnus", or "Tiếng Việt").
TOKEN = re.compile(r"\w+(?:['’]\w+)*")
# What joins content to our words in one text ("Book a place: <title>", "<title> | <site>").
SEPARATORS = re.compile(r"\s*(?:[|·:;,()“”\"?!]|\s[-–—]\s)\s*")
PLACEHOLDER = re.compile(r"%\([A-Za-z0-9_]+\)[sdif]|%[sdif]|\{[A-Za-z0-9_]*\}")
READER_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description", "aria-roledescription"}


def english_words(text: str) -> list[str]:
    """Words of plain Latin letters, but the made-up values of the email tests ("Zqx...")."""
    return [
        word
        for word in TOKEN.findall(text)
        if word.isascii() and re.sub("['’]", "", word).isalpha() and not word.startswith("Zqx")
    ]


def normalise(text: str) -> str:
    return " ".join(text.split())


# The catalogue ----------------------------------------------------------------------------


@dataclass
class Message:
    msgid: str
    msgid_plural: str = ""
    msgctxt: str = ""
    msgstrs: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def translated_to_itself(self) -> bool:
        """Every form of the translation equals the English (a name, "OK"): not English left."""
        english = {self.msgid, self.msgid_plural} - {""}
        return all(self.msgstrs) and bool(self.msgstrs) and all(text in english for text in self.msgstrs)


def _unquote(line: str) -> str:
    return json.loads(line)  # a PO string is a C string; JSON reads the escapes it uses


def catalogue_path(code: str) -> Path:
    """locale/<code>/LC_MESSAGES/django.po of the project (settings.LOCALE_PATHS)."""
    from django.conf import settings

    return Path(settings.LOCALE_PATHS[0]) / code / "LC_MESSAGES" / "django.po"


def catalogue(code: str) -> list[Message]:
    """The messages of the language's catalogue (obsolete ones left out)."""
    path = catalogue_path(code)
    messages: list[Message] = []
    current: Message | None = None
    target: tuple[str, int] | None = None
    fuzzy = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            fuzzy = "fuzzy" in line
            continue
        if not line or line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            value = _unquote(line)
            name, index = target
            if name == "msgstr":
                current.msgstrs[index] += value
            else:
                setattr(current, name, getattr(current, name) + value)
            continue
        if keyword in ("msgctxt", "msgid") and (current is None or current.msgstrs):
            current = Message(msgid="", fuzzy=fuzzy)
            fuzzy = False
            messages.append(current)
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            while len(current.msgstrs) <= index:
                current.msgstrs.append("")
            current.msgstrs[index] = _unquote(rest)
            target = ("msgstr", index)
        else:
            setattr(current, keyword, _unquote(rest))
            target = (keyword, 0)
    return [message for message in messages if message.msgid]  # not the header


@dataclass
class Pattern:
    message: Message
    regex: re.Pattern
    literal: str  # the message without its placeholders, for the database check


def catalogue_patterns(code: str) -> list[Pattern]:
    """A regular expression for each message of 3 words or more (placeholders match anything
    short), for finding it verbatim in a rendering."""
    patterns = []
    for message in catalogue(code):
        if message.translated_to_itself:
            continue
        for english in {message.msgid, message.msgid_plural} - {""}:
            text = english.replace("%%", "%")
            parts = PLACEHOLDER.split(text)
            if len(english_words(" ".join(parts))) < 3:
                continue
            regex = r"[\s\S]{0,300}?".join(r"\s+".join(map(re.escape, part.split())) for part in parts)
            patterns.append(Pattern(message, re.compile(regex), normalise(" ".join(parts))))
    return patterns


def messages_left(rendering: str, patterns: list[Pattern], content: "Content") -> list[str]:
    """(i): the catalogue's English messages found in a translated rendering (HTML or text),
    but for text that is content of the database too."""
    text = normalise(html.unescape(rendering))
    found = []
    for pattern in patterns:
        match = pattern.regex.search(text)
        if match and not content.holds(match.group(0)) and not content.holds(pattern.literal):
            found.append(pattern.message.msgid)
    return found


# What a reader sees ---------------------------------------------------------------------


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0
        self._json = None

    def handle_starttag(self, tag, attrs):
        a = {name: (value or "") for name, value in attrs}
        if tag in ("script", "style", "template"):
            self._skip += 1
            if tag == "script" and a.get("type") == "application/json":
                self._json = ""
        for name in READER_ATTRIBUTES & set(a):
            self.texts.append(a[name])
        if tag == "input" and a.get("type", "").lower() in ("submit", "button", "reset") and a.get("value"):
            self.texts.append(a["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style", "template"):
            self._skip -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1
            if self._json is not None:
                with contextlib.suppress(ValueError):
                    self.texts.extend(_strings_of(json.loads(self._json)))
                self._json = None

    def handle_data(self, data):
        if self._json is not None:
            self._json += data
        elif not self._skip:
            self.texts.append(data)


def _strings_of(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings_of(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings_of(item)]
    return []


def reader_texts(page_html: str) -> set[str]:
    """The texts of a page a reader sees or hears, each with its spaces normalised."""
    parser = _Texts()
    parser.feed(page_html)
    parser.close()
    return {text for text in map(normalise, parser.texts) if text}


def text_lines(body: str) -> set[str]:
    return {line for line in map(normalise, body.splitlines()) if line}


def same_english(english: set[str], translated: set[str], content: "Content", allowed=()) -> list[str]:
    """(ii): texts the same in both renderings, 3 English words or more, neither content of the
    database nor allowed (names). Content joined to our words ("Book a place: <title>") is taken
    out piece by piece (SEPARATORS), and what is left must still be under 3 words."""
    left = []
    for text in sorted(english & translated):
        if " " not in text:
            continue  # one word or token (an address, a code): not a sentence
        if len(english_words(text)) < 3 or content.holds(text) or text in allowed:
            continue
        ours = [piece for piece in SEPARATORS.split(text) if piece and not content.holds(piece)]
        if len(english_words(" ".join(ours))) >= 3:
            left.append(text)
    return left


# Content of the database ----------------------------------------------------------------


class Content:
    """Every text of the database (a dump of every model, rich text and StreamField JSON read
    too), so a text shown the same in two languages can be told to be content, not our code."""

    def __init__(self, texts: list[str]):
        self.blob = "\n".join(texts)

    @classmethod
    def of_database(cls, extra: list[str] = ()) -> "Content":
        from django.core.management import call_command

        out = io.StringIO()
        call_command(
            "dumpdata",
            exclude=["contenttypes", "auth.permission", "sessions", "admin.logentry"],
            format="json",
            stdout=out,
        )
        texts: list[str] = list(extra)
        _collect(json.loads(out.getvalue()), texts)
        return cls(texts)

    def holds(self, text: str) -> bool:
        text = normalise(text)
        return bool(text) and text in self.blob


def _collect(value, texts: list[str]) -> None:
    if isinstance(value, dict | list) and value:
        texts.append(normalise(repr(value)))  # as a page shows a JSON field's value
    if isinstance(value, dict):
        for item in value.values():
            _collect(item, texts)
    elif isinstance(value, list):
        for item in value:
            _collect(item, texts)
    elif isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                _collect(json.loads(stripped), texts)
        texts.append(normalise(value))
        if "<" in value or "&" in value:
            plain = html.unescape(re.sub(r"<[^>]*>", "\n", value))
            texts.extend(normalise(line) for line in plain.split("\n"))
            texts.append(normalise(html.unescape(re.sub(r"<[^>]*>", "", value))))
