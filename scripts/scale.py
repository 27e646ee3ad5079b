"""Back-filling an archive on paper: time, bottleneck, cost and the SQS event source's MaximumConcurrency.

    .venv/bin/python scripts/scale.py                  # the model, with the recorded inputs (docs/scale.md)
    .venv/bin/python scripts/scale.py --concurrency 50 # the same at a given MaximumConcurrency
    .venv/bin/python scripts/scale.py --measure 120    # re-measure the per-document inputs (moto, real handler)

Every input names its source: a line of docs/performance.md, a measurement of this script (`--measure`,
recorded in docs/scale.md "Measured here"), an AWS documentation page (title), or, where nothing could be
sourced, the word ASSUMPTION and the reason. The model and its limits are explained in docs/scale.md.
Standalone on purpose (stdlib only for the model): load it by path, as tests/unit/test_scale.py does.
"""

from __future__ import annotations

import argparse
import base64
import math
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Input:
    value: float
    unit: str
    source: str


PERF = "docs/performance.md"
MEASURED = "docs/scale.md 'Measured here' (scripts/scale.py --measure 120, 2026-12-03)"

# fmt: off
INPUTS: dict[str, Input] = {
    # --- measured per-document figures of this pipeline -----------------------------------------
    "ms_per_doc": Input(81.2, "ms", f"{PERF} bench[cost] cpu_ms_per_article=81.2 (service path, batches of 10, "
                                    "4,500-char articles, storage excluded)"),
    "storage_calls_per_doc": Input(9.54, "round trips", f"{MEASURED}: storage calls one after the other per new "
                                                        "document (the 16 band Queries of a lookup run side by "
                                                        "side: one round trip)"),
    "duplicates_ms_per_doc": Input(1.0, "ms", "README.md bench[across] 2026-12-02: MinHash signature 0.85 + band "
                                              "lookup 0.05 + band items 0.10 ms a document (CPU, not in "
                                              "bench[cost]'s pipeline)"),
    "ms_per_storage_call": Input(10.0, "ms", "ASSUMPTION: DynamoDB 'single-digit millisecond latency' "
                                             "(DynamoDB on-demand capacity mode page), S3 first-byte latency "
                                             "not published; 10 ms per call taken as a round upper figure"),
    "entities_per_doc": Input(26.7, "items", f"{MEASURED}: indexed entity items per document (mean)"),
    "entity_item_wru": Input(1.0, "WRU", f"{MEASURED}: every entity item <= 1 KB (largest 430 bytes)"),
    "gsi_entry_wru": Input(1.0, "WRU", f"{MEASURED}: every EntityIndex entry <= 1 KB (largest 430 bytes)"),
    "doc_item_wru": Input(15.5, "WRU", f"{MEASURED}: document item with its inline result JSON, mean of "
                                       "ceil(bytes / 1 KB) (mean 15.3 KB, largest 66.1 KB)"),
    "catalog_entry_wru": Input(1.0, "WRU", f"{MEASURED}: the document item's CatalogIndex entry (largest 586 "
                                           "bytes)"),
    "duplicates_wru": Input(18.0, "WRU", f"{MEASURED}: near-duplicate index per document: band items and the "
                                         "signature item, sum of ceil(bytes / 1 KB)"),
    "reads_per_doc_rru": Input(10.5, "RRU", f"{MEASURED}: 2 consistent GetItem, the Query for old entity items "
                                            "and the 16 band Queries (0.5 each, eventually consistent)"),
    "spill_fraction": Input(0.0, "share", f"{MEASURED}: results over INLINE_RESULT_BYTES (300 KB) -> one S3 PUT"),
    "hot_key_share": Input(0.217, "share", f"{MEASURED}: share of documents naming the commonest entity key "
                                           "(ENT#GPE#china, 26 of 120 dev texts)"),
    "batch_size": Input(10, "messages", "template.yaml IngestQueueEvent BatchSize: 10"),
    "memory_mb": Input(1769, "MB", "template.yaml ProcessDocumentFunction MemorySize: 1769"),
    # --- AWS quotas -------------------------------------------------------------------------------
    "lambda_concurrency_quota": Input(1000, "executions", "Lambda quotas: 'Concurrent executions 1,000' "
                                                          "(default, per Region, adjustable)"),
    "esm_max_concurrency": Input(1000, "invocations", "Configuring scaling behavior for SQS event source "
                                                      "mappings: 'maximum number of batches ... simultaneously "
                                                      "is 1,000'; ScalingConfig MaximumConcurrency 2..1000"),
    "esm_start": Input(5, "invocations", "Configuring scaling behavior for SQS event source mappings: starts "
                                         "with five concurrent batches"),
    "esm_ramp_per_min": Input(300, "invocations/min", "Configuring scaling behavior for SQS event source "
                                                      "mappings: 'up to 300 more instances per minute'"),
    "ddb_table_wru_quota": Input(40000, "WRU/s", "Quotas in Amazon DynamoDB, Throughput default quotas: "
                                                 "on-demand per table 40,000 WRU, applying to the table plus "
                                                 "all its GSIs"),
    "ddb_table_rru_quota": Input(40000, "RRU/s", "Quotas in Amazon DynamoDB, Throughput default quotas"),
    "ddb_partition_wcu": Input(1000, "WRU/s", "DynamoDB warm throughput scenarios / on-demand table "
                                              "throttling: each partition 1,000 write units per second"),
    "ddb_new_table_wru": Input(4000, "WRU/s", "Pre-warming a table for on-demand capacity mode: new on-demand "
                                              "tables sustain up to 4,000 writes per second"),
    "ddb_double_minutes": Input(30, "min", "Pre-warming a table for on-demand capacity mode: throttling if "
                                           "traffic exceeds twice the previous peak within 30 minutes"),
    "batch_write_items": Input(25, "items", "BatchWriteItem API reference: up to 25 put or delete requests"),
    "s3_get_per_prefix": Input(5500, "req/s", "Amazon S3 performance guidelines: 5,500 GET/HEAD per second "
                                              "per partitioned prefix"),
    "s3_put_per_prefix": Input(3500, "req/s", "Amazon S3 performance guidelines: 3,500 PUT/COPY/POST/DELETE "
                                              "per second per partitioned prefix"),
    "enqueue_ms_per_batch": Input(25.0, "ms", "ASSUMPTION: one SendMessageBatch round trip from one sender "
                                              "in the Region; not measured against AWS (moto is not SQS)"),
    "backfill_senders": Input(4, "threads", "newsproc backfill --senders default (src/newsproc/cli/operations.py)"),
    "queue_retention_s": Input(345600, "s", "template.yaml IngestQueue MessageRetentionPeriod: 345600 (4 days)"),
    # --- prices (us-east-1) -----------------------------------------------------------------------
    "price_gb_s": Input(0.0000166667, "USD", f"{PERF} bench[cost] price_per_gb_s (aws.amazon.com/lambda/pricing, "
                                             "x86, issue 7)"),
    "price_lambda_request": Input(2.0e-7, "USD", f"{PERF} bench[cost] usd_per_request ($0.20 per million)"),
    "price_sqs_request": Input(0.40e-6, "USD", "ASSUMPTION: $0.40 per million standard-queue requests "
                                               "(aws.amazon.com/sqs/pricing as quoted by third parties; the "
                                               "AWS page was not readable here)"),
    "price_wru": Input(0.625e-6, "USD", "ASSUMPTION: $0.625 per million on-demand WRU (aws.amazon.com/dynamodb/"
                                        "pricing after the Nov 2024 cut, as quoted by third parties)"),
    "price_rru": Input(0.125e-6, "USD", "ASSUMPTION: $0.125 per million on-demand RRU (same source)"),
    "price_s3_get": Input(0.0004e-3, "USD", "ASSUMPTION: $0.0004 per 1,000 GET/HEAD, S3 Standard "
                                            "(aws.amazon.com/s3/pricing as quoted by third parties)"),
    "price_s3_put": Input(0.005e-3, "USD", "ASSUMPTION: $0.005 per 1,000 PUT, S3 Standard (same source)"),
    # --- model choices ----------------------------------------------------------------------------
    "headroom": Input(0.8, "share", "ASSUMPTION (design choice): run at 80% of the tightest limit, so retries, "
                                    "the API's own traffic and longer articles fit"),
    "raw_prefixes": Input(1, "prefixes", "ASSUMPTION (worst case): the whole archive under one partitioned "
                                         "prefix"),
}
# fmt: on

SIZES = (1_000_000, 100_000_000)


def v(inputs: dict[str, Input], name: str) -> float:
    return inputs[name].value


@dataclass
class Result:
    articles: int
    concurrency: int
    docs_per_s: float
    hours: float
    bottleneck: str
    cost_usd: float
    limits: dict[str, float] = field(default_factory=dict)  # docs/s each limit allows
    costs: dict[str, float] = field(default_factory=dict)
    hot_key_wru_s: float = 0.0
    table_wru_s: float = 0.0
    ramp_hours: float = 0.0
    enqueue_hours: float = 0.0
    oldest_wait_hours: float = 0.0  # how long the last enqueued message waits when enqueueing runs ahead


def lambda_ms_per_doc(inputs: dict[str, Input]) -> float:
    """Wall (= billed) time per document inside the function: processing plus its storage calls."""
    processing = v(inputs, "ms_per_doc") + v(inputs, "duplicates_ms_per_doc")
    return processing + v(inputs, "storage_calls_per_doc") * v(inputs, "ms_per_storage_call")


def wru_per_doc(inputs: dict[str, Input]) -> tuple[float, float]:
    """(base-table WRU, GSI WRU) one new document costs: entity items, the document item and the near-duplicate
    index's items; the EntityIndex entries and the document's CatalogIndex entry."""
    entities = v(inputs, "entities_per_doc")
    base = entities * v(inputs, "entity_item_wru") + v(inputs, "doc_item_wru") + v(inputs, "duplicates_wru")
    return base, entities * v(inputs, "gsi_entry_wru") + v(inputs, "catalog_entry_wru")


def entity_index_share(inputs: dict[str, Input]) -> float:
    """The share of a document's write units that the entity index costs (its items and their index entries)."""
    entities = v(inputs, "entities_per_doc") * (v(inputs, "entity_item_wru") + v(inputs, "gsi_entry_wru"))
    return entities / sum(wru_per_doc(inputs))


def limits_docs_per_s(inputs: dict[str, Input]) -> dict[str, float]:
    """The steady document rate each downstream limit allows (Lambda concurrency apart)."""
    base, gsi = wru_per_doc(inputs)
    hot = v(inputs, "hot_key_share") * v(inputs, "gsi_entry_wru")
    s3_gets = 2.0  # HEAD + GET of the raw object per document (the measured calls)
    return {
        "dynamodb_table_write_quota": v(inputs, "ddb_table_wru_quota") / (base + gsi),
        "dynamodb_table_read_quota": v(inputs, "ddb_table_rru_quota") / max(v(inputs, "reads_per_doc_rru"), 1e-9),
        "gsi_hot_partition": v(inputs, "ddb_partition_wcu") / hot if hot else math.inf,
        "s3_get_per_prefix": v(inputs, "s3_get_per_prefix") * v(inputs, "raw_prefixes") / s3_gets,
        "backfill_enqueue": v(inputs, "backfill_senders")
        * v(inputs, "batch_size")
        / (v(inputs, "enqueue_ms_per_batch") / 1000),
    }


def concurrency_for(docs_per_s: float, inputs: dict[str, Input]) -> float:
    """Concurrent batches needed to sustain `docs_per_s` (each batch of 10 takes 10 x the per-document time)."""
    return docs_per_s * lambda_ms_per_doc(inputs) / 1000.0


def recommended_concurrency(inputs: dict[str, Input]) -> tuple[int, str]:
    """MaximumConcurrency: the headroom share of the tightest downstream limit, within the Lambda limits.

    The backfill's own enqueue rate is left out: the consumers are sized for what the stores take, and a
    slower sender only means they idle (the model's time accounts for it).
    """
    limits = {k: x for k, x in limits_docs_per_s(inputs).items() if k != "backfill_enqueue"}
    name = min(limits, key=limits.__getitem__)
    wanted = math.floor(concurrency_for(limits[name] * v(inputs, "headroom"), inputs))
    cap = min(v(inputs, "esm_max_concurrency"), v(inputs, "lambda_concurrency_quota"))
    if wanted >= cap:
        return int(cap), "lambda_concurrency"
    return max(2, wanted), name  # ScalingConfig minimum is 2


def _ramp(docs: float, inputs: dict[str, Input], rate: float) -> tuple[float, float]:
    """(seconds, documents done) while a new on-demand table doubles up to the rate's WRU/s."""
    base, gsi = wru_per_doc(inputs)
    need = rate * (base + gsi)
    capacity, seconds, done = v(inputs, "ddb_new_table_wru"), 0.0, 0.0
    step = v(inputs, "ddb_double_minutes") * 60
    while capacity < need and done < docs:
        step_docs = min(step * capacity / (base + gsi), docs - done)
        seconds += step_docs * (base + gsi) / capacity
        done += step_docs
        capacity *= 2
    return seconds, done


def model(articles: int, inputs: dict[str, Input] = INPUTS, concurrency: int | None = None) -> Result:
    if concurrency is None:
        concurrency, _ = recommended_concurrency(inputs)
    ms = lambda_ms_per_doc(inputs)
    lambda_rate = concurrency * 1000.0 / ms
    downstream = limits_docs_per_s(inputs)
    limits = {"lambda_concurrency": lambda_rate} | downstream
    tightest = min(downstream, key=downstream.__getitem__)
    rate = min(lambda_rate, downstream[tightest])
    # Within the headroom of the tightest downstream limit, that limit is what the concurrency is sized for.
    near = concurrency_for(v(inputs, "headroom") * downstream[tightest], inputs) < concurrency + 1
    bottleneck = tightest if near else "lambda_concurrency"

    # Lambda's SQS poller ramps from 5 batches by 300 per minute; the table doubles every 30 minutes.
    esm_ramp_s = max(0.0, (concurrency - v(inputs, "esm_start")) / v(inputs, "esm_ramp_per_min") * 60)
    esm_ramp_docs = min(articles, esm_ramp_s * rate / 2)  # a linear ramp does half the work
    table_s, table_docs = _ramp(articles - esm_ramp_docs, inputs, rate)
    rest = max(0.0, articles - esm_ramp_docs - table_docs)
    seconds = min(esm_ramp_s, 2 * articles / rate) + table_s + rest / rate

    base, gsi = wru_per_doc(inputs)
    n = float(articles)
    costs = {
        "lambda_gb_s": n * ms / 1000 * v(inputs, "memory_mb") / 1024 * v(inputs, "price_gb_s"),
        "lambda_requests": n / v(inputs, "batch_size") * v(inputs, "price_lambda_request"),
        # per batch of 10: the backfill's SendMessageBatch, the poller's ReceiveMessage, DeleteMessageBatch
        "sqs": n / v(inputs, "batch_size") * 3 * v(inputs, "price_sqs_request"),
        "dynamodb_writes": n * (base + gsi) * v(inputs, "price_wru"),
        "dynamodb_reads": n * v(inputs, "reads_per_doc_rru") * v(inputs, "price_rru"),
        "s3_requests": n * 2 * v(inputs, "price_s3_get") + n * v(inputs, "spill_fraction") * v(inputs, "price_s3_put"),
    }
    enqueue_s = n / v(inputs, "batch_size") * v(inputs, "enqueue_ms_per_batch") / 1000 / v(inputs, "backfill_senders")
    return Result(
        articles=articles,
        concurrency=concurrency,
        docs_per_s=rate,
        hours=seconds / 3600,
        bottleneck=bottleneck,
        cost_usd=sum(costs.values()),
        limits=limits,
        costs=costs,
        hot_key_wru_s=rate * v(inputs, "hot_key_share") * v(inputs, "gsi_entry_wru"),
        table_wru_s=rate * (base + gsi),
        ramp_hours=(min(esm_ramp_s, 2 * articles / rate) + table_s) / 3600,
        enqueue_hours=enqueue_s / 3600,
        oldest_wait_hours=max(0.0, seconds - enqueue_s) / 3600,
    )


def retention_limit_articles(inputs: dict[str, Input], concurrency: int | None = None) -> float:
    """The largest archive one enqueue run can put on the queue before its last message would expire.

    The sender outruns the consumers by (1/drain - 1/enqueue) seconds a message; the last one must be
    received within the queue's retention. Infinite when the sender is not faster than the drain.
    """
    drain = model(1, inputs, concurrency).docs_per_s
    enqueue = limits_docs_per_s(inputs)["backfill_enqueue"]
    lag = 1 / drain - 1 / enqueue
    return math.inf if lag <= 0 else v(inputs, "queue_retention_s") / lag


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def report(inputs: dict[str, Input] = INPUTS, concurrency: int | None = None, out: Any = sys.stdout) -> None:
    recommended, why = recommended_concurrency(inputs)
    print("inputs (name = value unit  [source]):", file=out)
    for name, item in inputs.items():
        print(f"  {name} = {item.value:g} {item.unit}  [{item.source}]", file=out)
    base, gsi = wru_per_doc(inputs)
    batch_calls = v(inputs, "entities_per_doc") / v(inputs, "batch_write_items")
    print(f"derived: lambda_ms_per_doc={lambda_ms_per_doc(inputs):g} wru_per_doc={base:g}+{gsi:g}(gsi) "
          f"entity_index_share_of_wru={entity_index_share(inputs):.2f} "
          f"batch_write_calls_per_doc>={batch_calls:.2f}", file=out)  # fmt: skip
    allowed = ", ".join(f"{k}: {_fmt(x)}" for k, x in limits_docs_per_s(inputs).items())
    print(f"derived: docs_per_s_allowed={{{allowed}}}", file=out)
    print(f"recommended MaximumConcurrency={recommended} (set by {why}, at "
          f"{v(inputs, 'headroom'):.0%} of it)", file=out)  # fmt: skip
    sensitivity = []
    for ms in (0, 5, 10, 20):
        varied = inputs | {"ms_per_storage_call": replace(inputs["ms_per_storage_call"], value=ms)}
        sensitivity.append(f"{ms}ms:{recommended_concurrency(varied)[0]}")
    print(f"recommended MaximumConcurrency by storage latency per call: {' '.join(sensitivity)}", file=out)
    limit = retention_limit_articles(inputs, concurrency)
    print(f"derived: one inventory enqueue run fits the queue's retention up to {limit:,.0f} articles "
          f"(beyond: fewer --senders, or one run per --prefix)", file=out)  # fmt: skip
    for size in SIZES:
        r = model(size, inputs, concurrency)
        print(
            f"scale[{size:.0e}]: hours={r.hours:.2f} bottleneck={r.bottleneck} cost_usd={r.cost_usd:,.2f} "
            f"concurrency={r.concurrency} docs_per_s={r.docs_per_s:,.0f} table_wru_s={r.table_wru_s:,.0f} "
            f"hot_gsi_key_wru_s={r.hot_key_wru_s:,.0f} ramp_hours={r.ramp_hours:.2f} "
            f"enqueue_hours={r.enqueue_hours:.2f} oldest_message_wait_hours={r.oldest_wait_hours:.2f} "
            f"costs={{{', '.join(f'{k}: {c:,.2f}' for k, c in r.costs.items())}}}",
            file=out,
        )


# ------------------------------------------------------------------------------------ measurement


def _attr_size(name: str, value: dict[str, Any]) -> int:
    """DynamoDB item sizes and formats: attribute name bytes + value bytes (typed JSON value)."""
    (kind, raw), = value.items()  # fmt: skip
    size = len(name.encode())
    if kind == "S":
        return size + len(raw.encode())
    if kind == "N":
        digits = raw.lstrip("-").replace(".", "").strip("0") or "0"
        return size + (len(digits) + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return size + 1
    if kind == "B":  # base64 text in a request body, bytes in a parsed response
        return size + (len(base64.b64decode(raw)) if isinstance(raw, str) else len(raw))
    if kind in ("M", "L"):
        inner = raw.items() if kind == "M" else (("", item) for item in raw)
        return size + 3 + sum(_attr_size(k, x) + 1 for k, x in inner)
    return size + len(str(raw).encode())


def item_size(item: dict[str, dict[str, Any]], only: set[str] | None = None) -> int:
    return sum(_attr_size(k, x) for k, x in item.items() if only is None or k in only)


def index_attributes(index_name: str) -> set[str]:
    """The attributes an index entry of the documents table holds (keys and projection, from template.yaml)."""
    from newsproc.local.template import Template

    table = Template.load().properties("DocumentsTable")
    index = next(g for g in table["GlobalSecondaryIndexes"] if g["IndexName"] == index_name)
    keys = {k["AttributeName"] for k in table["KeySchema"] + index["KeySchema"]}
    return keys | set(index["Projection"].get("NonKeyAttributes", []))


@dataclass
class _Tally:
    """What the handler wrote and read, by kind of item, as the measurement's hooks see it."""

    calls: Counter = field(default_factory=Counter)
    round_trips: float = 0.0
    band_queries: int = 0
    written: dict[str, list[int]] = field(default_factory=dict)  # kind -> item sizes (bytes)
    index_entries: dict[str, list[int]] = field(default_factory=dict)
    rru: float = 0.0
    keys_per_doc: dict[str, set[str]] = field(default_factory=dict)

    def add(self, kind: str, size: int) -> None:
        self.written.setdefault(kind, []).append(size)

    def wru(self, kind: str, documents: int, table: dict[str, list[int]] | None = None) -> float:
        return sum(math.ceil(b / 1024) for b in (table or self.written).get(kind, [])) / documents


def _item_kind(item: dict[str, dict[str, str]]) -> str:
    pk, sk = item["PK"]["S"], item["SK"]["S"]
    if pk.startswith("LSH#"):
        return "band"
    return {"DOC": "document", "SIG": "signature"}.get(sk, "entity" if sk.startswith("ENT#") else "other")


def measure(limit: int) -> dict[str, float]:  # pragma: no cover - needs moto, spaCy and ../shared/eval
    """Run the real ProcessDocumentFunction on `limit` dev texts against moto; count calls and item sizes.

    Write units: DynamoDB's item size rules on every item written and on its index entries. Read units:
    from the items each read returns (4 KB units, half for an eventually consistent read, at least one unit
    a call). Round trips: calls one after the other; the band Queries of one lookup run side by side.
    """
    import json

    from newsproc.ingest.events import ObjectRef, s3_event_message
    from newsproc.local.env import use_local_environment
    from newsproc.local.harness import moto_stack
    from newsproc.local.lambda_runtime import LambdaContext, load_handler, sqs_event
    from newsproc.pipeline.similarity import SCHEME

    use_local_environment(POWERTOOLS_LOG_LEVEL="WARNING", POWERTOOLS_METRICS_DISABLED="true")
    texts = [json.loads(line)["text"] for line in (ROOT.parent / "shared/eval/ner/dev.jsonl").open() if line.strip()]
    texts = texts[:limit]
    entity_index, catalog_index = index_attributes("EntityIndex"), index_attributes("CatalogIndex")
    tally = _Tally()

    def before(model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        tally.calls[model.name] += 1
        body = json.loads(params.get("body") or b"{}")
        context["consistent"] = bool(body.get("ConsistentRead"))
        band_query = model.name == "Query" and "LSH#" in str(body.get("ExpressionAttributeValues"))
        context["band_query"] = band_query
        tally.band_queries += band_query
        tally.round_trips += 0 if band_query else 1
        items = [body["Item"]] if model.name == "PutItem" else []
        items += [
            r["PutRequest"]["Item"] for rs in body.get("RequestItems", {}).values() for r in rs if "PutRequest" in r
        ]
        for item in items:
            kind = _item_kind(item)
            tally.add(kind, item_size(item))
            if kind == "entity":
                tally.index_entries.setdefault("EntityIndex", []).append(item_size(item, entity_index))
                tally.keys_per_doc.setdefault(item["PK"]["S"], set()).add(item["GSI1PK"]["S"])
            if "catalog_shard" in item:
                tally.index_entries.setdefault("CatalogIndex", []).append(item_size(item, catalog_index))

    def after(model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if model.name not in ("GetItem", "Query"):
            return
        returned = [parsed["Item"]] if "Item" in parsed else parsed.get("Items", [])
        units = max(1, math.ceil(sum(item_size(i) for i in returned) / 4096))
        tally.rru += units * (1.0 if context.get("consistent") else 0.5)

    with moto_stack() as stack:
        _, module = load_handler("ProcessDocumentFunction")
        bucket = stack.resources.raw_bucket
        for i, text in enumerate(texts):
            stack.s3.put_object(Bucket=bucket, Key=f"dev/{i:04d}.txt", Body=text.encode())
        ddb = module.aws.dynamodb_resource().meta.client
        s3 = module.aws.s3_client()
        for client, service in ((ddb, "dynamodb"), (s3, "s3")):
            client.meta.events.register(f"before-call.{service}.*", before, unique_id="scale-count")
        ddb.meta.events.register("after-call.dynamodb.*", after, unique_id="scale-read")
        for start in range(0, len(texts), 10):
            bodies = [s3_event_message(ObjectRef(bucket=bucket, key=f"dev/{i:04d}.txt"))
                      for i in range(start, min(start + 10, len(texts)))]  # fmt: skip
            messages = [{"MessageId": f"m{j}", "ReceiptHandle": f"r{j}", "Body": b} for j, b in enumerate(bodies)]
            module.lambda_handler(sqs_event(messages, "arn:aws:sqs:us-east-1:123456789012:q"),
                                  LambdaContext("ProcessDocumentFunction", timeout_s=600))  # fmt: skip

    docs = len(texts)
    # a lookup's band Queries (one per band) run side by side: one round trip
    tally.round_trips += tally.band_queries / SCHEME.bands
    key_counts = Counter(k for keys in tally.keys_per_doc.values() for k in keys)
    top, top_n = key_counts.most_common(1)[0]
    documents = tally.written["document"]
    out = {
        "documents": docs,
        "chars_mean": sum(len(t) for t in texts) / docs,
        "storage_calls_per_doc": tally.round_trips / docs,
        "requests_per_doc": sum(tally.calls.values()) / docs,
        "entities_per_doc": len(tally.written.get("entity", [])) / docs,
        "entity_item_bytes_max": max(tally.written["entity"]),
        "entity_item_bytes_mean": sum(tally.written["entity"]) / len(tally.written["entity"]),
        "gsi_entry_bytes_max": max(tally.index_entries["EntityIndex"]),
        "catalog_entry_bytes_max": max(tally.index_entries["CatalogIndex"]),
        "catalog_entry_wru": tally.wru("CatalogIndex", docs, tally.index_entries),
        "doc_item_bytes_mean": sum(documents) / len(documents),
        "doc_item_bytes_max": max(documents),
        "doc_item_wru": tally.wru("document", docs),
        "band_items_per_doc": len(tally.written.get("band", [])) / docs,
        "duplicates_wru": tally.wru("band", docs) + tally.wru("signature", docs),
        "reads_per_doc_rru": tally.rru / docs,
        "spill_fraction": tally.calls["PutObject"] / docs,
        "hot_key_share": top_n / docs,
    }
    print(f"measure: calls={dict(tally.calls)} band_queries={tally.band_queries} hot_key={top} "
          f"top5={key_counts.most_common(5)}")  # fmt: skip
    print("measure: " + " ".join(f"{k}={x:.4g}" for k, x in out.items()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=None, help="model at this MaximumConcurrency")
    parser.add_argument("--measure", type=int, metavar="N", default=0,
                        help="re-measure per-document inputs on N dev texts, then model with them")  # fmt: skip
    args = parser.parse_args(argv)
    inputs = dict(INPUTS)
    if args.measure:
        measured = measure(args.measure)
        source = f"scripts/scale.py --measure {args.measure} (this run)"
        for name in ("storage_calls_per_doc", "entities_per_doc", "doc_item_wru", "catalog_entry_wru",
                     "duplicates_wru", "reads_per_doc_rru", "spill_fraction", "hot_key_share"):  # fmt: skip
            inputs[name] = replace(inputs[name], value=round(measured[name], 3), source=source)
    report(inputs, args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
