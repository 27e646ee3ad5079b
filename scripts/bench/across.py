"""bench[across]: the per-document cost of the cross-document features (issue 17) against the entity step.

On the same documents as the throughput figure, through the service's own code:
  places     the gazetteer stage of DocumentPipeline (`timings_ms["places"]`; the ORG->GPE relabel runs
             inside the entity step and is part of `ner`, the denominator);
  signature  the MinHash signature of the clean text (newsproc.pipeline.similarity);
  lookup     the band lookup and similarity estimates against the in-memory index, which grows by every
             document (CPU only: the 16 band Queries run side by side on DynamoDB, latency not measured);
  index      replacing the document's band items in the in-memory index;
  counting   the trend counter deltas of the document's entity items as the stream consumer computes
             them (CPU only: the consumer is another function, its writes are priced in docs/trends.md).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

from scripts.bench.common import emit, note
from scripts.bench.documents import document_inputs, raw_documents


def _entity_images(result) -> list[dict[str, object]]:
    """The entity items of a result as the stream delivers them (the fields the counter reads)."""
    published = result.metadata.published or "2026-12-01"  # the dev texts have no date: count them anyway
    return [
        {
            "SK": f"ENT#{e.label}#{e.key}",
            "GSI1SK": f"{published}#{result.document_id}",
            "name": e.name,
            "count": e.count,
        }
        for e in result.entities
    ]


def run(texts: Sequence[str], args: argparse.Namespace, pipeline=None) -> None:
    from newsproc.models import Duplicate
    from newsproc.pipeline.similarity import signature
    from newsproc.store.memory import InMemoryDocumentRepository
    from newsproc.trends.counting import deltas_for

    if pipeline is None:
        from newsproc.pipeline.extract import load_nlp
        from newsproc.pipeline.run import DocumentPipeline

        pipeline = DocumentPipeline(load_nlp())
    results = [r for r in pipeline.process_batch(document_inputs(raw_documents(texts[: args.docs]))) if r.entities]
    repository = InMemoryDocumentRepository()
    ner, places, signing, lookup, indexing, counting = [], [], [], [], [], []
    for result in results:
        ner.append(result.pipeline.timings_ms.get("ner", 0.0))
        places.append(result.pipeline.timings_ms.get("places", 0.0))
        started = time.perf_counter()
        own = signature(result.clean_text)
        signing.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        matches = repository.duplicates.lookup(own, exclude=result.document_id) if own else []
        lookup.append((time.perf_counter() - started) * 1000)
        stored = result.model_copy(
            update={"duplicates": [Duplicate(document_id=m.document_id, similarity=m.similarity) for m in matches]}
        )
        started = time.perf_counter()
        repository.duplicates.replace(stored, own)
        indexing.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for image in _entity_images(result):
            deltas_for("INSERT", None, image)
        counting.append((time.perf_counter() - started) * 1000)
    mean = statistics.fmean
    total = mean(places) + mean(signing) + mean(lookup) + mean(indexing) + mean(counting)
    emit(
        "across",
        docs=len(results),
        ner_ms=round(mean(ner), 2),
        places_ms=round(mean(places), 3),
        signature_ms=round(mean(signing), 3),
        lookup_ms=round(mean(lookup), 3),
        index_ms=round(mean(indexing), 3),
        counting_ms=round(mean(counting), 3),
        total_ms=round(total, 3),
        share_of_ner=f"{total / mean(ner):.1%}",
        target="<=15%",
    )
    note("means per document; DynamoDB latency of the band Queries and the counter writes not included")
