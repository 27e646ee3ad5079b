"""reliability[load]: 2,000 documents through the template's queue with the in-process poller."""

from __future__ import annotations

from scripts.reliability.documents import WORDS_PER_ARTICLE, upload_articles
from scripts.reliability.harness import ScenarioResult, local_stack, tally


def run(documents: int = 2000) -> ScenarioResult:
    """2,000 documents through the template's queue with the in-process poller (src/newsproc/local/poller.py)."""
    from newsproc.local.poller import drain

    with local_stack() as stack:
        keys = upload_articles(stack, documents, seed=5)
        outcome = drain(stack.sqs, stack.resources.queue_url, stack.resources.queue_arn, stack.handler, batch_size=10)
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
