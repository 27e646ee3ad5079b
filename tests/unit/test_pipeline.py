"""The processing path with a blank spaCy pipeline whose entity ruler stands in for the model."""

import json

import pytest
import spacy

from newsproc.media import DocumentInput, document_id_for
from newsproc.models import ErrorCode, ResultDocument, Source, Status
from newsproc.pipeline.run import DocumentPipeline

pytestmark = pytest.mark.unit

ARTICLE = (
    "date 2024-02-01 Sign up to our newsletter Please enter a valid email address Thanks for signing up to the\n"
    "The Nairobi city government said on Tuesday that Grace Wanjiru would lead the new transport agency.\n"
    "Ms Wanjiru previously ran the port authority in Mombasa and studied in Nairobi.\n"
)


@pytest.fixture(scope="module")
def pipeline() -> DocumentPipeline:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "GPE", "pattern": "Nairobi"},
            {"label": "GPE", "pattern": "Mombasa"},
            {"label": "PERSON", "pattern": "Grace Wanjiru"},
            {"label": "PERSON", "pattern": "Wanjiru"},
        ]
    )
    return DocumentPipeline(nlp, max_input_bytes=50_000)


def _doc(data: bytes, key: str = "a/story.txt") -> DocumentInput:
    return DocumentInput(document_id=document_id_for("b", key), data=data, source=Source(key=key, size=len(data)))


def test_pipeline_result_shape_and_offsets(pipeline: DocumentPipeline) -> None:
    result = pipeline.process(_doc(ARTICLE.encode()))
    assert result.status is Status.PROCESSED and result.error is None
    assert result.metadata.published == "2024-02-01"
    assert "newsletter" not in result.clean_text and "date 2024" not in result.clean_text
    for mention in result.mentions:
        assert result.clean_text[mention.start : mention.end] == mention.text
    names = {e.name: e for e in result.entities}
    assert names["Grace Wanjiru"].count == 2, "Ms Wanjiru joins the full name"
    assert names["Nairobi"].count == 2
    assert {m.entity_id for m in result.mentions} == {e.id for e in result.entities}
    # The document round-trips through its JSON form unchanged.
    assert ResultDocument.model_validate_json(result.model_dump_json()) == result


def test_pipeline_skip_cleaning_keeps_text_exactly(pipeline: DocumentPipeline) -> None:
    text = "  Nairobi ‘quotes’ stay\n\nas given.  "
    result = pipeline.process(_doc(text.encode()), skip_cleaning=True)
    assert result.clean_text == text
    assert [(m.start, m.end) for m in result.mentions] == [(2, 9)]


def test_pipeline_bad_inputs_fail_with_codes_and_do_not_affect_others(pipeline: DocumentPipeline) -> None:
    documents = [
        _doc(b"%PDF-1.4 ...", key="scan.pdf"),
        _doc(b"x" * 60_000),
        _doc(b"   "),
        _doc(b"{broken", key="a.json"),
        _doc(ARTICLE.encode()),
    ]
    results = pipeline.process_batch(documents)
    assert [r.error.code if r.error else None for r in results] == [
        ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.TOO_LARGE, ErrorCode.EMPTY_DOCUMENT,
        ErrorCode.INVALID_JSON, None,
    ]  # fmt: skip
    assert [r.document_id for r in results] == [d.document_id for d in documents]
    assert results[-1].status is Status.PROCESSED


def test_a_document_the_cleaner_empties_fails_with_what_it_removed(pipeline: DocumentPipeline) -> None:
    menu = "Home\nNews\nSport\nWeather\nContact us\nSign up to our newsletter\nCookie settings\n"
    result = pipeline.process(_doc(menu.encode()))
    assert result.status is Status.FAILED and result.error.code is ErrorCode.EMPTY_AFTER_CLEANING
    assert {seg.text for seg in result.removed} >= {"Home", "Cookie settings"}
    assert result.pipeline.model is None, "no model ran on it"


def test_a_declared_language_is_used_instead_of_detecting_it(pipeline: DocumentPipeline) -> None:
    short = "Grace Wanjiru, Nairobi."  # too short to identify
    assert pipeline.process(_doc(short.encode())).warnings[0].code == "language_unknown"
    declared = pipeline.process(_doc(json.dumps({"text": short, "language": "en"}).encode(), key="a.json"))
    assert declared.metadata.language == "en" and not declared.warnings
    assert [e.name for e in declared.entities] == ["Grace Wanjiru", "Nairobi"]
    german = pipeline.process(_doc(json.dumps({"text": short, "language": "de"}).encode(), key="b.json"))
    assert german.metadata.language == "de" and german.warnings[0].code == "language_not_supported"
    assert german.entities == []


def test_pipeline_json_input_carries_metadata(pipeline: DocumentPipeline) -> None:
    body = json.dumps({"text": ARTICLE, "title": "Transport agency", "url": "https://example.org/x"})
    result = pipeline.process(_doc(body.encode(), key="in.json"))
    assert (result.metadata.title, result.metadata.url) == ("Transport agency", "https://example.org/x")


def test_pipeline_document_id_is_stable_per_key() -> None:
    assert document_id_for("b", "k") == document_id_for("b", "k") != document_id_for("b", "k2")


def test_settings_are_read_from_the_environment_once_and_validated() -> None:
    from pydantic import ValidationError

    from newsproc.settings import Settings

    settings = Settings.from_env({"TABLE_NAME": "t1", "MAX_INPUT_BYTES": "2048", "HTML_EXTRACTOR": "trafilatura"})
    assert (settings.table_name, settings.max_input_bytes, settings.html_extractor) == ("t1", 2048, "trafilatura")
    assert Settings.from_env({}).html_extractor == "markup"
    with pytest.raises(ValidationError):
        Settings.from_env({"MAX_INPUT_BYTES": "0"})
    with pytest.raises(ValidationError):
        Settings.from_env({"HTML_EXTRACTOR": "regex"})
