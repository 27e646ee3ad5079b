"""Reliability scenarios of issue 6, measured: one line per scenario.

    reliability[<scenario>]: documents=<n> stored=<n> failed=<n> dlq=<n> lost=<n> ...

`stored` counts documents with a result (PROCESSED or FAILED), `failed` those stored FAILED with an
error code, `dlq` messages parked in the dead-letter queue, `lost` documents with neither a result
nor a DLQ message. Everything runs in process: moto (`mock_aws`, through the one harness
`newsproc.local.harness.moto_stack`) with the bucket, queues and table created from template.yaml,
and the real ProcessDocumentFunction handler (real en_core_web_sm). Documents are short (a few
sentences) so the 500/2,000-document scenarios take minutes, not hours.

One module per scenario (duplicates, poison, faults, bad_input, load), each with a `run(...)`
returning a `ScenarioResult`; `harness` holds the shared stack, drain, tally and call counting,
`documents` the generated articles.

Redelivery: the template's queue has a long VisibilityTimeout. Instead of waiting, the scenarios drain
with `newsproc.local.poller.drain(..., retry_failed_now=True)`: each failed message gets visibility 0,
so SQS (moto) redelivers it at once and, after maxReceiveCount receives, moves it to the DLQ by the
queue's RedrivePolicy, exactly as it would after maxReceiveCount x VisibilityTimeout.

Usage: python -m scripts.reliability [scenario ...] [--small]   (the tests import the scenario modules)
"""
