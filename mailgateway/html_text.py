"""HTML mail as plain text: what a reader sees, never markup.

nh3 (html5ever, linear on malformed markup where the standard library's parser is not) first
reduces the document to the elements that shape text, without comments, scripts, styles or any
attribute but a link's address, a class and an id; a walk then writes the text and its line
structure. Quoted history (`<blockquote>`, Gmail's and Yahoo's quote containers) gets "> " in
front of each line, and a signature container the "--" delimiter, so that the same reply
stripping applies to HTML and to plain text mail.
"""

from __future__ import annotations

import html as html_module
import logging
import re
from collections import Counter
from html.parser import HTMLParser

import nh3

logger = logging.getLogger(__name__)

# Elements whose content no reader sees.
_INVISIBLE = frozenset(
    {"script", "style", "head", "title", "template", "svg", "math", "object", "iframe"}
)
_VOID = frozenset({"br", "hr", "img", "wbr"})
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
_KEPT = _BLOCK | {"a", "br", "td", "th", "span"}
# Containers that clients use for the quoted message instead of (or around) a blockquote.
_QUOTE_CLASSES = frozenset(
    {"gmail_quote", "yahoo_quoted", "protonmail_quote", "moz-forward-container"}
)
# Signature containers (Gmail, Outlook on the web uses id="Signature"); Thunderbird's
# moz-signature already starts with "-- ".
_SIGNATURE_CLASSES = frozenset({"gmail_signature"})
_SPACES = re.compile(r"[ \t\r\n\f\u00a0\u200b]+")
_LINK_SCHEMES = ("http://", "https://", "mailto:")
# Past this many tags html5ever's scope checks grow with the nesting (quadratic for thousands
# of nested blocks): such a document is read by the linear fallback.
_MAX_TAGS = 20_000
_TAG = re.compile(r"<[^<>]*>")
_HIDDEN_BLOCK = re.compile(r"<(script|style|title|head)\b", re.IGNORECASE)


class _TextWalk(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, is a quote)
        self.open_tags: Counter[str] = Counter()
        self.invisible = 0
        self.pre = 0
        self.quote = 0
        self.links: list[str | None] = []

    # Lines are built word by word; a block boundary ends the current line.
    def _break(self, blank: bool = False) -> None:
        line = "".join(self.current)
        if not self.pre:
            line = _SPACES.sub(" ", line).strip()
        self.current = []
        # One "> " whatever the depth: it marks history, and deep nesting must not multiply text.
        prefix = "> " if self.quote else ""
        if line:
            self.lines.append(prefix + line)
        if blank and self.lines and self.lines[-1] != prefix:
            self.lines.append(prefix)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE:
            if tag not in _VOID:
                self.invisible += 1
            return
        if self.invisible:
            return
        attributes = dict(attrs)
        if tag == "br":
            # A <br> alone on its line (<div><br></div>) is the blank line between paragraphs.
            if "".join(self.current).strip():
                self._break()
            else:
                self._break(blank=True)
            return
        if tag in _VOID:
            if tag == "hr":
                self._break(blank=True)
            return
        classes = set((attributes.get("class") or "").split())
        is_quote = tag == "blockquote" or bool(classes & _QUOTE_CLASSES)
        if tag in _BLOCK or is_quote:
            self._break(blank=tag in {"p", "blockquote", "table"} or is_quote)
        if attributes.get("id") == "Signature" or classes & _SIGNATURE_CLASSES:
            # The usenet delimiter, which the reply stripping cuts at and full text keeps.
            self._break()
            self.lines.append(("> " if self.quote else "") + "--")
        if is_quote:
            self.quote += 1
        if tag == "pre":
            self.pre += 1
        if tag == "li":
            self.current.append("- ")
        if tag in {"td", "th"}:
            self.current.append(" ")
        if tag == "a":
            href = (attributes.get("href") or "").strip()
            self.links.append(href if href.lower().startswith(_LINK_SCHEMES) else None)
        self.stack.append((tag, is_quote))
        self.open_tags[tag] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID or tag in _INVISIBLE:
            self.handle_starttag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            if tag not in _VOID and self.invisible:
                self.invisible -= 1
            return
        if self.invisible or tag in _VOID:
            return
        # Close up to the matching open tag: mail HTML often leaves elements unclosed.
        if not self.open_tags[tag]:
            return
        while self.stack:
            open_tag, is_quote = self.stack.pop()
            self.open_tags[open_tag] -= 1
            self._close(open_tag, is_quote)
            if open_tag == tag:
                break

    def _close(self, tag: str, is_quote: bool) -> None:
        if tag == "a" and self.links:
            href = self.links.pop()
            if href:
                text = "".join(self.current)
                shown = href[7:] if href.lower().startswith("mailto:") else href
                if shown not in text:
                    self.current.append(f" <{shown}>")
        if tag in _BLOCK or is_quote:
            self._break(blank=tag in {"p", "blockquote", "table"} or is_quote)
        if is_quote:
            self.quote -= 1
        if tag == "pre":
            self.pre -= 1

    def handle_data(self, data: str) -> None:
        if self.invisible:
            return
        if self.pre:
            parts = data.split("\n")
            for index, part in enumerate(parts):
                if index:
                    self._break()
                self.current.append(part)
        else:
            self.current.append(data)

    def text(self) -> str:
        self._break()
        lines: list[str] = []
        for line in self.lines:
            line = line.rstrip()
            if not line.strip("> ") and lines and not lines[-1].strip("> "):
                continue
            lines.append(line)
        return "\n".join(lines).strip("\n")


def html_to_text(html: str) -> str:
    """The readable text of an HTML document: no tag, attribute, script or style survives;
    quoted history is written with "> " in front of its lines."""
    if html.count("<") > _MAX_TAGS:
        return _linear_text(html)
    try:
        cleaned = nh3.clean(
            html,
            tags=set(_KEPT),
            clean_content_tags=set(_INVISIBLE),
            attributes={"*": {"class", "id"}, "a": {"href"}},
            url_schemes={"http", "https", "mailto"},
            link_rel=None,
        )
        walk = _TextWalk()
        walk.feed(cleaned)
        walk.close()
    except Exception:  # noqa: BLE001 - whatever breaks the walk, the linear reading still works
        logger.warning("HTML read by the linear fallback", exc_info=True)
        return _linear_text(html)
    return walk.text()


def _linear_text(html: str) -> str:
    """The text between the tags, read in linear time: no structure, no quote marks."""
    kept = []
    position = 0
    while found := _HIDDEN_BLOCK.search(html, position):
        kept.append(html[position : found.start()])
        end = re.compile(rf"</{found.group(1)}\s*>", re.IGNORECASE).search(html, found.end())
        position = end.end() if end else len(html)
    kept.append(html[position:])
    text = "".join(kept)
    text = _drop_between(text, "<!--", "-->")
    text = html_module.unescape(_TAG.sub(" ", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _drop_between(text: str, start: str, end: str) -> str:
    kept = []
    position = 0
    while (found := text.find(start, position)) >= 0:
        kept.append(text[position:found])
        closing = text.find(end, found + len(start))
        position = closing + len(end) if closing >= 0 else len(text)
    kept.append(text[position:])
    return "".join(kept)
