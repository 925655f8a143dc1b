"""Text extractors: PDF through pypdf in a guarded child process, and plain text."""

from adapters.extract.pdf import PypdfTextExtractor
from adapters.extract.text import PlainTextExtractor

__all__ = ["PlainTextExtractor", "PypdfTextExtractor"]
