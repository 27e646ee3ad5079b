"""I/O at the edges: the raw bucket (raw.py), result documents and the entity index (documents.py),
the document listing (catalog.py), the write order within a key (ordering.py), continuation tokens
(pagination.py), an entity's dated documents (timeline.py), the per-day entity counters (trends.py) and
in-memory stand-ins for unit tests (memory.py). CoreLayer only.

The factories below wire each store to the clients of `newsproc.aws` and the settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsproc import aws
from newsproc.settings import Settings
from newsproc.store.catalog import DocumentCatalog
from newsproc.store.documents import DocumentRepository
from newsproc.store.raw import RawObjectStore

if TYPE_CHECKING:
    from newsproc.store.timeline import EntityTimelineRepository
    from newsproc.store.trends import TrendCounterRepository


def document_repository(settings: Settings) -> DocumentRepository:
    return DocumentRepository(
        aws.dynamodb_resource(),
        aws.s3_client(),
        table_name=settings.table_name,
        results_bucket=settings.results_bucket,
        entity_index_name=settings.entity_index_name,
        inline_result_bytes=settings.inline_result_bytes,
    )


def document_catalog(settings: Settings) -> DocumentCatalog:
    return DocumentCatalog(
        aws.dynamodb_resource(), table_name=settings.table_name, index_name=settings.catalog_index_name
    )


def raw_store() -> RawObjectStore:
    return RawObjectStore(aws.s3_client())


# Timelines and trends (timeline.py, trends.py): imported when asked for, off the process function's init.
def entity_timeline(settings: Settings) -> EntityTimelineRepository:
    from newsproc.store.timeline import EntityTimelineRepository

    return EntityTimelineRepository(
        aws.dynamodb_resource(), table_name=settings.table_name, entity_index_name=settings.entity_index_name
    )


def trend_counters(settings: Settings) -> TrendCounterRepository:
    from newsproc.store.trends import TrendCounterRepository

    return TrendCounterRepository(aws.dynamodb_resource(), table_name=settings.trends_table_name)
