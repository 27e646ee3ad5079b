"""Reliability scenarios of issue 6, measured: one line per scenario.

    reliability[<scenario>]: documents=<n> stored=<n> failed=<n> dlq=<n> lost=<n> ...

`stored` counts documents with a result (PROCESSED or FAILED), `failed` those stored FAILED with an
error code, `dlq` messages parked in the dead-letter queue, `lost` documents with neither a result
nor a DLQ message. Everything runs in process: moto (`mock_aws`, through the one harness
`newsproc.local.harness.moto_stack`) with the bucket, queues and table created from template.yaml,
and the real ProcessDocumentFunction handler (real en_core_web_sm). Documents are short (a few
sentences) so the 500/2,000-document scenarios take minutes, not hours.

One module per scenario (duplicates, poison, faults, bad_input, load, oversized_metadata,
future_removal, deferral, api_delete, large_result, forged_tokens, foreign_bucket), each with a
`run(...)` returning a `ScenarioResult`; `harness` holds the shared stack, drain, tally and call
counting, `documents` the generated articles.

Time: every time of template.yaml is divided by `harness.TIME_SCALE` (1,800, printed as
`time_scale=1/1800`): the ingest queue is given the template's VisibilityTimeout / 1,800 (5,400 s ->
3 s), and each invocation a context of the function's Timeout / 1,800 (900 s -> 0.5 s) that reports its
remaining time in template milliseconds, so the handler's 15 s reserve is 15 s of template time.
Nothing resets visibility by hand: the scenarios drain with `newsproc.local.poller.drain(...,
wait_for_in_flight=True)`, which sleeps while messages are in flight until moto redelivers them after
the visibility timeout and, after maxReceiveCount receives, moves them to the DLQ by the RedrivePolicy.
Processing itself is not scaled (it takes real time).

Usage: python -m scripts.reliability [scenario ...] [--small]   (the tests import the scenario modules)
"""
