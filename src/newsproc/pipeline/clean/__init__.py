"""Boilerplate removal for scraped article text and HTML.

Public interface (used by the pipeline and by `make eval-cleaning`):
    clean_text(raw: str) -> CleanedText
    clean_html(html: str | bytes, extractor: HtmlExtractor = "markup") -> CleanedText
"""

from newsproc.models import HtmlExtractor
from newsproc.pipeline.clean.cleaner import CleanedText, clean_html, clean_text

__all__ = ["CleanedText", "HtmlExtractor", "clean_html", "clean_text"]
