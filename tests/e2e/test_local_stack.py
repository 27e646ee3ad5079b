"""End to end through `newsproc local`: S3 endpoint in, HTTP API out, a real browser on the view."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote

import pytest

from newsproc.media import document_id_for
from tests.e2e.articles import article

pytestmark = pytest.mark.e2e


def _api(config: dict[str, Any], method: str, path: str, body: bytes | None = None,
         content_type: str = "text/plain") -> tuple[int, Any, str]:  # fmt: skip
    request = urllib.request.Request(
        config["api_url"] + path, data=body, method=method, headers={"content-type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read().decode()
            status, ctype = response.status, response.headers.get("content-type", "")
    except HTTPError as error:
        raw, status, ctype = error.read().decode(), error.code, error.headers.get("content-type", "")
    parsed = json.loads(raw) if "json" in ctype and raw else raw
    return status, parsed, ctype


def _wait_processed(config: dict[str, Any], ids: list[str], timeout: float = 240) -> dict[str, Any]:
    results: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    while len(results) < len(ids) and time.monotonic() < deadline:
        for document_id in ids:
            if document_id not in results:
                status, body, _ = _api(config, "GET", f"/documents/{document_id}")
                if status == 200:
                    results[document_id] = body
        time.sleep(0.5)
    missing = set(ids) - set(results)
    assert not missing, f"not processed in {timeout}s: {missing}"
    return results


def _listed(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every row of GET /documents by document id, page after page (the order is by published date)."""
    rows: dict[str, dict[str, Any]] = {}
    token = ""
    for _ in range(100):
        status, body, _ = _api(config, "GET", "/documents?limit=100" + (f"&next={quote(token)}" if token else ""))
        assert status == 200, body
        rows |= {d["document_id"]: d for d in body["documents"]}
        if not (token := body.get("next") or ""):
            return rows
    raise AssertionError("the listing did not end within 100 pages")


def test_local_stack_twenty_articles_query_and_delete(local_stack, s3) -> None:
    bucket = local_stack["raw_bucket"]
    keys = [f"e2e/article-{i:02d}.txt" for i in range(20)]
    for index, key in enumerate(keys):
        s3.put_object(Bucket=bucket, Key=key, Body=article(index).encode(), ContentType="text/plain")
    ids = [document_id_for(bucket, key) for key in keys]
    results = _wait_processed(local_stack, ids)
    assert {r["status"] for r in results.values()} == {"PROCESSED"}
    first = results[ids[0]]
    assert "newsletter" not in first["clean_text"] and "Cookie" not in first["clean_text"]

    status, found, _ = _api(local_stack, "GET", f"/entities/PERSON/{quote('amina diallo')}/documents?limit=100")
    assert status == 200
    assert {d["document_id"] for d in found["documents"]} == set(ids)

    status, listed, _ = _api(local_stack, "GET", f"/documents?entity={quote('Ms Amina Diallo')}&label=PERSON&limit=5")
    assert status == 200 and len(listed["documents"]) == 5 and listed["next"]

    updated = {document_id: row["updated_at"] for document_id, row in _listed(local_stack).items()}
    status, queued, _ = _api(local_stack, "POST", f"/documents/{ids[1]}/reprocess")
    assert status == 202 and queued["document_id"] == ids[1]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        after = {document_id: row["updated_at"] for document_id, row in _listed(local_stack).items()}
        if after[ids[1]] != updated[ids[1]]:
            break
        time.sleep(0.5)
    assert after[ids[1]] != updated[ids[1]], "reprocess runs again even though the version is already stored"

    status, _, _ = _api(local_stack, "DELETE", f"/documents/{ids[0]}")
    assert status == 204
    assert _api(local_stack, "GET", f"/documents/{ids[0]}")[0] == 404
    remaining = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="e2e/").get("Contents", [])}
    assert keys[0] not in remaining and len(remaining) == 19
    _, found, _ = _api(local_stack, "GET", f"/entities/PERSON/{quote('amina diallo')}/documents?limit=100")
    assert len(found["documents"]) == 19


def test_local_stack_sync_extract_and_errors(local_stack) -> None:
    text = "President Cyril Ramaphosa met Kenya's William Ruto in Pretoria on Tuesday."
    status, result, _ = _api(local_stack, "POST", "/documents?sync=true", text.encode())
    assert status == 200 and result["status"] == "PROCESSED"
    assert {"Cyril Ramaphosa", "William Ruto"} <= {e["name"] for e in result["entities"]}

    body = json.dumps({"text": text}).encode()
    status, extracted, _ = _api(local_stack, "POST", "/extract", body, "application/json")
    assert status == 200 and extracted["clean_text"]
    assert _api(local_stack, "GET", f"/documents/{extracted['document_id']}")[0] == 404, "extract stores nothing"
    short = "Angela Merkel visited Paris.".encode("latin-1")  # too short to identify: declared instead
    status, declared, _ = _api(local_stack, "POST", "/extract?language=en", short, "text/plain; charset=iso-8859-1")
    assert status == 200 and declared["metadata"]["language"] == "en" and not declared["warnings"], declared
    assert "Angela Merkel" in {e["name"] for e in declared["entities"]}
    status, queued, _ = _api(local_stack, "POST", "/documents?sync=true&language=en", short)
    assert status == 200 and queued["metadata"]["language"] == "en", queued
    assert _api(local_stack, "POST", "/extract?language=english", short)[1]["error"]["code"] == "validation_error"

    rejected = _api(local_stack, "POST", "/documents", b"x", "application/pdf")[1]
    assert rejected["error"]["code"] == "unsupported_media_type"
    assert _api(local_stack, "GET", "/nowhere")[0] == 404
    status, ticket, _ = _api(local_stack, "POST", "/uploads", json.dumps({"filename": "big.txt"}).encode(),
                             "application/json")  # fmt: skip
    assert status == 200 and ticket["key"].endswith(".txt") and ticket["method"] == "POST" and ticket["max_bytes"]
    import requests  # a multipart form: the presigned POST's fields, then the file

    files = {"file": ("big.txt", b"Aisha Buhari spoke in Abuja.", ticket["fields"]["Content-Type"])}
    response = requests.post(ticket["url"], data=ticket["fields"], files=files, timeout=30)
    assert response.status_code in (200, 201, 204), response.text
    _wait_processed(local_stack, [ticket["document_id"]])

    status, schema, _ = _api(local_stack, "GET", "/openapi.json")
    assert status == 200 and "/documents/{document_id}/view" in schema["paths"]
    status, page, ctype = _api(local_stack, "GET", "/swagger")
    assert status == 200 and "swagger" in page.lower() and "html" in ctype


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_local_stack_view_in_headless_chromium(local_stack, tmp_path) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed: apt-get install chromium")
    text = "Prime Minister Jacinda Ardern visited Wellington on Friday. Ms Ardern met Maori leaders."
    _, result, _ = _api(local_stack, "POST", "/documents?sync=true", text.encode())
    url = f"{local_stack['api_url']}/documents/{result['document_id']}/view"
    with urllib.request.urlopen(url, timeout=60) as response:  # nothing may load, run or frame the page
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
    assert 'class="entity"' in dom and "Jacinda Ardern" in dom
    assert 'id="entity-table"' in dom and 'id="label-chart"' in dom
    shot = tmp_path / "view.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", "--window-size=1280,900", url],
                   capture_output=True, timeout=120)  # fmt: skip
    assert shot.exists() and shot.stat().st_size > 10_000


def test_local_stack_schemathesis_no_server_errors(local_stack) -> None:
    schemathesis = shutil.which("schemathesis") or str(
        __import__("pathlib").Path(__import__("sys").executable).with_name("schemathesis")
    )
    done = subprocess.run(
        [schemathesis, "run", f"{local_stack['api_url']}/openapi.json", "--url", local_stack["api_url"],
         "--checks", "not_a_server_error", "--max-examples", "15", "--generation-deterministic",
         "--request-timeout", "60", "--phases", "examples,coverage,fuzzing"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-2000:]


def test_local_stack_overwrite_delete_and_a_poison_message(local_stack, s3) -> None:
    import boto3

    sqs = boto3.client("sqs", endpoint_url=local_stack["endpoint_url"], region_name=local_stack["region"])
    bucket, key = local_stack["raw_bucket"], f"e2e/overwrite-{local_stack['mode']}.txt"
    document_id = document_id_for(bucket, key)
    s3.put_object(Bucket=bucket, Key=key, Body=b"Carlos Moedas spoke in Lisbon on Monday about the new bridge.")
    assert "Moedas" in _wait_processed(local_stack, [document_id])[document_id]["clean_text"]

    s3.put_object(Bucket=bucket, Key=key, Body=b"Angela Merkel visited Porto on Friday to open a new museum.")
    deadline = time.monotonic() + 120
    while "Merkel" not in (_api(local_stack, "GET", f"/documents/{document_id}")[1] or {}).get("clean_text", ""):
        assert time.monotonic() < deadline, "the new version was not processed"
        time.sleep(0.5)

    sqs.send_message(QueueUrl=local_stack["queue_url"], MessageBody="not an S3 event")  # a poison message
    s3.delete_object(Bucket=bucket, Key=key)  # what `aws s3 rm` does: a delete marker
    deadline = time.monotonic() + 120
    while _api(local_stack, "GET", f"/documents/{document_id}")[0] != 404:
        assert time.monotonic() < deadline, "the delete marker did not remove the result"
        time.sleep(0.5)
    found = _api(local_stack, "GET", f"/entities/PERSON/{quote('angela merkel')}/documents")[1]
    assert document_id not in {d["document_id"] for d in found["documents"]}
    # the poison message is parked in the DLQ at once (no retry can help it), with the reason
    deadline, parked = time.monotonic() + 60, []
    while not parked:
        assert time.monotonic() < deadline, "the poison message did not reach the DLQ"
        parked = sqs.receive_message(
            QueueUrl=local_stack["dlq_url"], MessageAttributeNames=["All"], WaitTimeSeconds=1, VisibilityTimeout=0
        ).get("Messages", [])
    assert [m["Body"] for m in parked] == ["not an S3 event"]
    reason = parked[0]["MessageAttributes"]["newsproc-error"]["StringValue"]
    assert reason.startswith("message body is not JSON"), reason
    _wait_logged(local_stack, "parked in the DLQ (not an S3 event)")


def test_local_stack_logs_a_failed_document_as_failed(local_stack, s3) -> None:
    key = f"e2e/empty-{local_stack['mode']}.txt"
    document_id = document_id_for(local_stack["raw_bucket"], key)
    s3.put_object(Bucket=local_stack["raw_bucket"], Key=key, Body=b"   \n")
    assert _wait_processed(local_stack, [document_id])[document_id]["error"]["code"] == "empty_document"
    _wait_logged(local_stack, f"failed (empty_document) s3://{local_stack['raw_bucket']}/{key}")


def _wait_logged(config: dict[str, Any], line: str, timeout: float = 30) -> None:
    """The stack's log gets the line (written once the handler has returned)."""
    deadline = time.monotonic() + timeout
    while line not in Path(config["log"]).read_text():
        assert time.monotonic() < deadline, f"not logged: {line!r}\n" + Path(config["log"]).read_text()[-2000:]
        time.sleep(0.3)


def test_local_stack_backfill_catalog_lists_an_older_document_item(local_stack, tmp_path) -> None:
    import sys

    import boto3

    # A document item as a version before the CatalogIndex saved it: no catalog_id, so not listed.
    dynamodb = boto3.resource("dynamodb", endpoint_url=local_stack["endpoint_url"], region_name=local_stack["region"])
    table = dynamodb.Table(local_stack["table"])
    document_id = ("0c" if local_stack["mode"] == "built" else "0d") * 16
    key = {"PK": f"DOC#{document_id}", "SK": "DOC"}
    table.put_item(Item=key | {"document_id": document_id, "status": "PROCESSED", "source_key": "old.txt"})
    try:
        assert document_id not in _listed(local_stack)

        # The README's command, from a folder whose .newsproc-local.json names this stack (its tables too:
        # `recount-trends --local` reads the trends table's name from there).
        assert local_stack["table"] and local_stack["trends_table"]
        (tmp_path / ".newsproc-local.json").write_text(json.dumps(local_stack))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        done = subprocess.run([sys.executable, "-m", "newsproc.cli", "backfill-catalog", "--local"], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "document items of" in done.stdout and "added to the catalog index" in done.stdout

        assert document_id in _listed(local_stack)
    finally:
        table.delete_item(Key=key)


def _spawn_stack(tmp_path, *args: str) -> tuple[subprocess.Popen, Any]:
    import sys

    from tests.conftest import ROOT
    from tests.e2e.conftest import _free_port

    log = open(tmp_path / "stack.log", "w")  # noqa: SIM115 - closed by the caller
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    command = [sys.executable, "-m", "newsproc.cli", "local", "--api-port", str(_free_port()),
               "--config", str(tmp_path / "local.json"), *args]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log


def test_a_taken_port_is_a_one_line_error(tmp_path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process, log = _spawn_stack(tmp_path, "--port", str(taken.getsockname()[1]), "--in-process")
        returncode = process.wait(timeout=120)
        log.close()
    output = (tmp_path / "stack.log").read_text()
    assert returncode == 1 and "is in use" in output and "Traceback" not in output, output


@pytest.mark.parametrize("mode", ["in-process", pytest.param("built", marks=pytest.mark.build)])
def test_sigterm_stops_the_stack_while_a_long_document_is_processed(tmp_path, mode: str) -> None:
    import boto3

    from tests.e2e.conftest import _free_port, built_stack_problem

    if mode == "built" and (problem := built_stack_problem()):
        if os.environ.get("NEWSPROC_REQUIRE_BUILT") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    process, log = _spawn_stack(tmp_path, "--port", str(_free_port()), f"--{mode}")
    try:
        deadline = time.monotonic() + 300
        while not (tmp_path / "local.json").exists():
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "stack.log").read_text()
            time.sleep(0.3)
        config = json.loads((tmp_path / "local.json").read_text())
        s3 = boto3.client("s3", endpoint_url=config["endpoint_url"], region_name=config["region"])
        long_text = "".join(  # distinct paragraphs (the cleaner drops repeats): many seconds of NER
            f"On day {i} Carlos Moedas met Ana Gomes in Lisbon about bridge {i} and its {i} million euros.\n\n"
            for i in range(12_000)
        )
        s3.put_object(Bucket=config["raw_bucket"], Key="long.txt", Body=long_text.encode())
        while not _in_flight(config):  # the poller has the document's message: processing has begun
            assert time.monotonic() < deadline
            time.sleep(0.2)
        started = time.monotonic()
        process.terminate()
        returncode = process.wait(timeout=120)  # generous for a loaded machine; it takes a few seconds
        elapsed = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
        log.close()
    print(f"stopped in {elapsed:.1f} s ({mode})")
    assert returncode == 0, (tmp_path / "stack.log").read_text()[-3000:]


def _in_flight(config: dict[str, Any]) -> bool:
    """The poller has received a message (it is invisible while the function works on it)."""
    import boto3

    sqs = boto3.client("sqs", endpoint_url=config["endpoint_url"], region_name=config["region"])
    counts = sqs.get_queue_attributes(QueueUrl=config["queue_url"], AttributeNames=["All"])["Attributes"]
    return int(counts["ApproximateNumberOfMessagesNotVisible"]) > 0
