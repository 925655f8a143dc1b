"""The child process of ``HtmlTextExtractor``: a web page on stdin, its main text as
JSON on stdout. Scripts, styles, navigation, headers, footers, forms and asides are
dropped; the page's ``<main>`` (else its ``<article>``, else its body) is read, with
headings marked the Markdown way so that they become the context of the chunks under
them. Run as ``python -m adapters.extract.html_worker``.
"""

from __future__ import annotations

import codecs
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from adapters.extract.child import WorkerLimits, WorkerResult, serve

NOT_TEXT = (
    "script, style, noscript, template, svg, canvas, iframe, object, head, nav, header, "
    "footer, aside, form, button, dialog, [hidden], [aria-hidden=true]"
)
TOO_LARGE = "The web page is too large to read."
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BLOCKS = "p, li, dt, dd, blockquote, pre, tr, figcaption, caption, div, section, article"
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


def extract(data: bytes, limits: WorkerLimits) -> WorkerResult:
    """The page's main text as one page, or the reason there is none."""
    try:
        tree = LexborHTMLParser(_decode(data))
    except MemoryError:
        return WorkerResult(error=TOO_LARGE)
    except Exception:
        return WorkerResult(error="The web page cannot be read.")
    for node in tree.css(NOT_TEXT):
        node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.body
    if root is None:
        return WorkerResult(error="The web page has no text.")
    for level, tag in enumerate(HEADINGS, start=1):
        for node in root.css(tag):
            _mark(node, "#" * level + " ")
    for node in root.css(BLOCKS):
        _mark(node, "")
    text = _BLANK_LINES.sub("\n\n", root.text(deep=True, separator="", strip=False)).strip()
    if len(text) > limits.max_text_chars:
        return WorkerResult(text_too_long=True)
    if not text:
        return WorkerResult(error="The web page has no text.")
    return WorkerResult(pages=[text])


def _mark(node: LexborNode, prefix: str) -> None:
    """Set the element apart as a paragraph of its own, after ``prefix``."""
    node.insert_before(f"\n\n{prefix}")
    node.insert_after("\n\n")


def _decode(data: bytes) -> str:
    """The page's text in the encoding its byte-order mark or meta tag names, else
    UTF-8 (what browsers assume of a file with neither is no better a guess)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared[1].decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("utf-8", errors="replace")


if __name__ == "__main__":
    serve(extract)
