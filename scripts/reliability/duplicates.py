"""reliability[duplicates]: each S3 event delivered 1-3 times (seeded), shuffled: one result each, and
as many writes as without duplicates."""

from __future__ import annotations

import random

from scripts.reliability.documents import upload_articles
from scripts.reliability.harness import (
    CallCounter,
    ScenarioResult,
    Tally,
    drain_with_retries,
    function_clients,
    local_stack,
    send_all,
    take_all_messages,
    tally,
)


def run(documents: int = 500, seed: int = 1) -> ScenarioResult:
    """Each S3 event delivered 1-3 times (seeded), shuffled: one result each, and as many writes as without."""

    def once(duplicate: bool) -> tuple[Tally, CallCounter, int]:
        with local_stack() as stack:
            keys = upload_articles(stack, documents, seed=seed)
            bodies = take_all_messages(stack)
            rng = random.Random(seed)
            if duplicate:
                bodies = [b for b in bodies for _ in range(rng.randint(1, 3))]
                rng.shuffle(bodies)
            send_all(stack, bodies)
            counter = CallCounter(function_clients()[1])
            drain_with_retries(stack)
            counter.close()
            return tally(stack, keys), counter, len(bodies)

    _single_tally, single, _ = once(duplicate=False)
    result, counter, deliveries = once(duplicate=True)
    return ScenarioResult(
        "duplicates",
        result,
        {
            "deliveries": deliveries,
            "results": result.stored,
            "writes": counter.writes,
            "writes_without_duplicates": single.writes,
            "items_written": counter.items_written,
            "items_written_without_duplicates": single.items_written,
            "reads": counter.calls["GetItem"] + counter.calls["Query"],
        },
    )
