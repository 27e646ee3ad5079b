"""Recounting the per-day entity counters from the entity items themselves (`newsproc recount-trends`).

The stream consumer (counting.py) keeps the counters by deltas, so they only know what the stream
delivered: documents stored before the stream existed, or records older than the stream's 24 hours when
the consumer was down that long, are missing. A recount reads every entity item of the documents table,
counts each (day, label, key) the way the consumer does (the same `counted` rule), and turns the difference
from the stored counters into deltas that the counter store applies like a stream record's.

The difference is taken against the counters as read, so a document written while the recount runs may be
counted twice or not at all: exact when nothing is written during the run, and a second run corrects it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from newsproc.trends.counting import CounterDelta, Slot, counted


@dataclass
class Tally:
    documents: int = 0
    mentions: int = 0
    name: str = ""


def recount(entity_items: Iterable[Mapping[str, Any]]) -> dict[Slot, Tally]:
    """What the counters should hold: per counted (day, label, key), the documents and mentions."""
    totals: dict[Slot, Tally] = {}
    for item in entity_items:
        found = counted(item)
        if found is None:
            continue
        slot, name, mentions = found
        tally = totals.setdefault(slot, Tally())
        tally.documents += 1
        tally.mentions += mentions
        tally.name = tally.name or name
    return totals


def differences(should: Mapping[Slot, Tally], stored: Mapping[Slot, Tally]) -> list[CounterDelta]:
    """The deltas that bring the stored counters to `should`; a stored counter nothing counts goes to zero."""
    deltas = []
    for slot in sorted(should.keys() | stored.keys()):
        want, have = should.get(slot, Tally()), stored.get(slot, Tally())
        documents, mentions = want.documents - have.documents, want.mentions - have.mentions
        if documents or mentions:
            day, label, key = slot
            deltas.append(CounterDelta(day, label, key, want.name or have.name, documents, mentions))
    return deltas
