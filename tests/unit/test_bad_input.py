"""Hostile input never raises out of the pipeline or the event parser: PROCESSED, or FAILED with a code.

A blank spaCy pipeline keeps this fast; the real model runs in tests/integration/test_reliability.py.
"""

import contextlib

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsproc.ingest.events import MalformedEventError, object_refs_from_message
from newsproc.media import DocumentInput
from newsproc.models import Source, Status
from newsproc.pipeline.run import DocumentPipeline

pytestmark = pytest.mark.unit

# A light version of scripts/reliability/bad_input.py's strategy (that one is slow to generate, see
# docs/reliability.md): the same families of hostile input at small sizes.
_text = st.text(max_size=200)
_charsets = st.sampled_from(["latin-1", "cp1252", "utf-16", "shift_jis", "koi8-r"])
_n = st.integers(1, 400)
BODIES = st.one_of(
    st.binary(max_size=512),
    st.tuples(_text, _charsets).map(lambda t: t[0].encode(t[1], errors="ignore")),
    st.tuples(st.sampled_from(["word ", "x", "ü", "<b>a</b>"]), _n).map(lambda t: (t[0] * t[1]).encode()),
    _text.map(lambda t: "\x00".join(t or "a").encode()),
    _n.map(lambda d: ("[" * d + "]" * d).encode()),
    _n.map(lambda d: ('{"text": ' * d + '"x"' + "}" * d).encode()),
    _n.map(lambda d: ("<div>" * d + "text" + "</div>" * d).encode()),
    _n.map(lambda d: ("<p>" * d).encode()),
    st.sampled_from([b'{"text": 5}', b'{"html": null}', b'{"text": "', b"{}", b"null", b'{"text": "\\ud800"}']),
)
CASES = st.tuples(
    st.sampled_from(["a.txt", "../b.html", "c.htm", "d%2e.json", "e.pdf", "f", "ü ñ/g.TXT"]),
    BODIES,
    st.sampled_from(["text/plain", "text/html", "application/json", "application/octet-stream"]),
)

PIPELINE = DocumentPipeline(spacy.blank("en"), max_input_bytes=1_000_000)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(CASES)
def test_bad_input_ends_processed_or_failed_with_a_code(case: tuple[str, bytes, str]) -> None:
    key, body, content_type = case
    source = Source(bucket="raw", key=key, content_type=content_type, size=len(body))
    result = PIPELINE.process(DocumentInput(document_id="d", data=body, source=source))
    assert result.status in (Status.PROCESSED, Status.FAILED)
    if result.status is Status.FAILED:
        assert result.error is not None and result.error.code
    else:
        assert result.clean_text.strip()


def test_bad_input_over_the_limit_is_too_large() -> None:
    source = Source(bucket="raw", key="a.txt", size=2_000_000)
    result = PIPELINE.process(DocumentInput(document_id="d", data=b"a", source=source))
    assert result.error is not None and result.error.code == "too_large"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_bad_input_event_bodies_are_parsed_or_malformed(body: str) -> None:
    with contextlib.suppress(MalformedEventError):
        object_refs_from_message(body)
