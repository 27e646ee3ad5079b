"""reliability[load]: 2,000 documents through the template's queue with the in-process poller."""

from __future__ import annotations

from scripts.reliability.documents import WORDS_PER_ARTICLE, upload_articles
from scripts.reliability.harness import ScenarioResult, drain_with_retries, local_stack, tally


def run(documents: int = 2000) -> ScenarioResult:
    """2,000 documents through the template's queue with the in-process poller (src/newsproc/local/poller.py)."""
    with local_stack() as stack:
        keys = upload_articles(stack, documents, seed=5)
        outcome = drain_with_retries(stack)
        counted = tally(stack, keys)
    return ScenarioResult(
        "load",
        counted,
        {
            "messages": outcome.received,
            "seconds": round(outcome.seconds, 1),
            "docs_per_s": round(counted.stored / outcome.seconds, 1) if outcome.seconds else 0,
            "words_per_doc": WORDS_PER_ARTICLE,
        },
    )
