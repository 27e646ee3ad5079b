"""scripts/scale.py's arithmetic on a tiny, round input (the script is loaded by path: scripts/ is not a package
this test relies on)."""

from __future__ import annotations

import importlib.util
import io
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scale():
    spec = importlib.util.spec_from_file_location("newsproc_scale_script", ROOT / "scripts" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture
def tiny(scale):
    values = {
        "ms_per_doc": 90, "storage_calls_per_doc": 1, "ms_per_storage_call": 10,  # 100 ms a document
        "entities_per_doc": 10, "entity_item_wru": 1, "gsi_entry_wru": 1, "doc_item_wru": 5,  # 15 + 10 WRU
        "reads_per_doc_rru": 2, "spill_fraction": 0, "hot_key_share": 0.5, "batch_size": 10, "memory_mb": 1024,
        "lambda_concurrency_quota": 1000, "esm_max_concurrency": 1000, "esm_start": 1000, "esm_ramp_per_min": 300,
        "ddb_table_wru_quota": 10_000, "ddb_table_rru_quota": 40_000, "ddb_partition_wcu": 1000,
        "ddb_new_table_wru": 4000, "ddb_double_minutes": 30, "batch_write_items": 25,
        "s3_get_per_prefix": 5500, "s3_put_per_prefix": 3500, "enqueue_ms_per_batch": 25, "backfill_senders": 4,
        "queue_retention_s": 345600,
        "duplicates_ms_per_doc": 0, "catalog_entry_wru": 0, "duplicates_wru": 0,  # tested on their own below
        "price_gb_s": 1e-5, "price_lambda_request": 1e-6, "price_sqs_request": 1e-6, "price_wru": 1e-6,
        "price_rru": 1e-6, "price_s3_get": 1e-6, "price_s3_put": 1e-6, "headroom": 0.8, "raw_prefixes": 1,
    }  # fmt: skip
    assert set(values) == set(scale.INPUTS), "the tiny input covers every input of the script"
    return {name: replace(item, value=values[name]) for name, item in scale.INPUTS.items()}


def test_every_input_names_its_source(scale) -> None:
    for name, item in scale.INPUTS.items():
        assert len(item.source) > 20, name
        assert any(word in item.source for word in ("docs/", "template.yaml", "ASSUMPTION", "src/", " ")), name


def test_per_document_figures(scale, tiny) -> None:
    assert scale.lambda_ms_per_doc(tiny) == 100
    assert scale.wru_per_doc(tiny) == (15, 10)
    limits = scale.limits_docs_per_s(tiny)
    assert limits["dynamodb_table_write_quota"] == 400  # 10,000 WRU/s / 25 WRU
    assert limits["gsi_hot_partition"] == 2000  # 1,000 WRU/s on one key / (0.5 x 1 WRU)
    assert limits["s3_get_per_prefix"] == 2750  # HEAD + GET
    assert limits["dynamodb_table_read_quota"] == 20_000
    assert limits["backfill_enqueue"] == pytest.approx(1600)  # 4 senders x 10 / 25 ms


def test_recommended_concurrency_is_the_headroom_of_the_tightest_limit(scale, tiny) -> None:
    assert scale.recommended_concurrency(tiny) == (32, "dynamodb_table_write_quota")  # 0.8 x 400/s x 0.1 s
    roomy = dict(tiny)
    for name in ("ddb_table_wru_quota", "ddb_partition_wcu", "s3_get_per_prefix", "backfill_senders"):
        roomy[name] = replace(tiny[name], value=1e9)  # nothing downstream binds: Lambda's own limit does
    assert scale.recommended_concurrency(roomy) == (1000, "lambda_concurrency")


def test_model_time_bottleneck_and_cost(scale, tiny) -> None:
    small = scale.model(1000, tiny)
    # 320 docs/s need 8,000 WRU/s: the new table's 4,000 WRU/s takes all 1,000 documents (25,000 WRU)
    assert small.concurrency == 32 and small.bottleneck == "dynamodb_table_write_quota"
    assert small.docs_per_s == pytest.approx(320) and small.table_wru_s == pytest.approx(8000)
    assert small.hours * 3600 == pytest.approx(6.25)
    assert small.hot_key_wru_s == pytest.approx(160)
    assert small.costs["lambda_gb_s"] == pytest.approx(1000 * 0.1 * 1 * 1e-5)
    assert small.costs["dynamodb_writes"] == pytest.approx(1000 * 25 * 1e-6)
    assert small.costs["sqs"] == pytest.approx(100 * 3 * 1e-6)
    assert small.cost_usd == pytest.approx(sum(small.costs.values()))

    big = scale.model(1_000_000, tiny)
    # 30 minutes at 4,000 WRU/s (288,000 documents), then 712,000 at 320/s
    assert big.hours * 3600 == pytest.approx(1800 + 712_000 / 320)
    assert big.ramp_hours == pytest.approx(0.5)


def test_retention_limit_of_one_enqueue_run(scale, tiny) -> None:
    # drains 320/s, enqueues 1,600/s: the sender gains 1/320 - 1/1600 s a message; 4 days of that
    assert scale.retention_limit_articles(tiny) == pytest.approx(345600 / (1 / 320 - 1 / 1600))
    slow = tiny | {"backfill_senders": replace(tiny["backfill_senders"], value=0.1)}  # 40 messages/s
    assert scale.retention_limit_articles(slow) == float("inf")


def test_given_concurrency_sets_the_bottleneck(scale, tiny) -> None:
    assert scale.model(10**6, tiny, concurrency=100).bottleneck == "dynamodb_table_write_quota"
    assert scale.model(10**6, tiny, concurrency=100).docs_per_s == pytest.approx(400)
    low = scale.model(10**6, tiny, concurrency=10)
    assert low.bottleneck == "lambda_concurrency" and low.docs_per_s == pytest.approx(100)


def test_near_duplicate_and_catalog_costs_are_added(scale, tiny) -> None:
    more = tiny | {
        name: replace(tiny[name], value=value)
        for name, value in (("duplicates_ms_per_doc", 2), ("duplicates_wru", 18), ("catalog_entry_wru", 1))
    }
    assert scale.lambda_ms_per_doc(more) == 102
    assert scale.wru_per_doc(more) == (15 + 18, 10 + 1)
    assert scale.entity_index_share(more) == pytest.approx(20 / 44)  # 10 entity items + their 10 index entries
    assert scale.limits_docs_per_s(more)["dynamodb_table_write_quota"] == pytest.approx(10_000 / 44)


def test_item_size_follows_dynamodbs_rules(scale) -> None:
    item = {"PK": {"S": "DOC#1"}, "count": {"N": "12"}, "ok": {"BOOL": True}}
    assert scale.item_size(item) == (2 + 5) + (5 + 2) + (2 + 1)
    assert scale.item_size(item, only={"PK"}) == 7
    # binary: base64 text in a request body, bytes in a parsed response; both count their bytes
    assert scale.item_size({"sig": {"B": "AAECAw=="}}) == scale.item_size({"sig": {"B": b"\x00\x01\x02\x03"}}) == 3 + 4


def test_report_prints_one_line_per_size(scale, tiny) -> None:
    out = io.StringIO()
    scale.report(tiny, out=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("scale[")]
    assert [line.split(":")[0] for line in lines] == ["scale[1e+06]", "scale[1e+08]"]
    assert all("bottleneck=dynamodb_table_write_quota" in line and "concurrency=32" in line for line in lines)
