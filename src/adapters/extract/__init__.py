"""Text extractors: PDF, Word documents and web pages, each read in a guarded child
process, and plain text."""

from adapters.extract.pdf import PypdfTextExtractor
from adapters.extract.text import PlainTextExtractor
from adapters.extract.web import HtmlTextExtractor
from adapters.extract.word import DocxTextExtractor

__all__ = ["DocxTextExtractor", "HtmlTextExtractor", "PlainTextExtractor", "PypdfTextExtractor"]
