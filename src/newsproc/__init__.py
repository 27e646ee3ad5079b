"""newsproc: clean scraped news articles, extract and canonicalize entities, store JSON results."""

__version__ = "0.1.0"
