import json

import pytest

from newsproc.ingest.events import MalformedEventError, ObjectRef, object_refs_from_message, s3_event_message

pytestmark = pytest.mark.unit


def test_events_moto_style_record_with_encoded_key() -> None:
    # moto omits fields such as userIdentity/requestParameters and url-encodes the key.
    body = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": "raw"},
                    "object": {
                        "key": "news/caf%C3%A9+story.txt",
                        "size": 12,
                        "eTag": '"abc"',
                        "sequencer": "01",
                    },
                },
            }
        ]
    }
    [ref] = object_refs_from_message(json.dumps(body))
    assert ref == ObjectRef(bucket="raw", key="news/café story.txt", etag="abc", size=12, sequencer="01")


def test_events_test_event_gives_nothing() -> None:
    assert object_refs_from_message(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})) == []


def test_events_removal_is_flagged() -> None:
    body = {"Records": [{"eventName": "ObjectRemoved:Delete", "s3": {"bucket": {"name": "b"}, "object": {"key": "k"}}}]}
    assert object_refs_from_message(json.dumps(body))[0].removed


@pytest.mark.parametrize("body", ["not json", "[]", '{"foo": 1}', '{"Records": [{"eventName": "x"}]}'])
def test_events_malformed(body: str) -> None:
    with pytest.raises(MalformedEventError):
        object_refs_from_message(body)


def test_events_roundtrip_of_generated_message() -> None:
    ref = ObjectRef(bucket="raw", key="a b/ü.json", etag="e", size=3, version_id="v1")
    assert object_refs_from_message(s3_event_message(ref)) == [ref]


def test_events_sample_event_file_parses() -> None:
    from tests.conftest import EVENTS

    event = json.loads((EVENTS / "sqs_batch.json").read_text())
    keys = [object_refs_from_message(r["body"])[0].key for r in event["Records"]]
    assert "articles/harbour-bridge.txt" in keys
