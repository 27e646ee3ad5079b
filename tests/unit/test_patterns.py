"""Custom entity lists: an EntityRuler patterns file (ENTITY_PATTERNS), applied after the model, re-read on change."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
import spacy
from moto import mock_aws

from newsproc.media import DocumentInput, document_id_for
from newsproc.models import Source
from newsproc.pipeline.extract.patterns import EntityPatterns, parse_patterns
from newsproc.pipeline.run import DocumentPipeline

pytestmark = pytest.mark.unit

ARTICLE = (
    "Shares of Apple rose on Tuesday after the company said Tim Cook would present the results in Cupertino. "
    "AAPL closed 3 per cent higher, while MSFT was flat and analysts at the bank expected more gains for AAPL."
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _nlp():
    """A blank English pipeline standing in for the model: it labels Apple ORG and 'AAPL closed' ORG."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="model_stand_in")
    ruler.add_patterns(
        [
            {"label": "ORG", "pattern": "Apple"},
            {"label": "PERSON", "pattern": "Tim Cook"},
            {"label": "GPE", "pattern": "Cupertino"},
            {"label": "ORG", "pattern": "AAPL closed"},
        ]
    )
    return nlp


def _doc(text: str = ARTICLE) -> DocumentInput:
    data = text.encode()
    return DocumentInput(document_id=document_id_for("b", "t.txt"), data=data, source=Source(key="t.txt"))


def _write(path: Path, patterns: list[dict]) -> None:
    path.write_text("".join(json.dumps(p) + "\n" for p in patterns), encoding="utf-8")


def test_ticker_pattern_adds_an_entity_and_wins_over_the_model(tmp_path: Path) -> None:
    path = tmp_path / "patterns.jsonl"
    _write(path, [{"label": "TICKER", "pattern": "AAPL"}, {"label": "TICKER", "pattern": "MSFT"}])
    pipeline = DocumentPipeline(_nlp(), patterns=EntityPatterns(str(path)))
    result = pipeline.process(_doc())
    entities = {(e.name, e.label): e.count for e in result.entities}
    assert entities[("AAPL", "TICKER")] == 2 and entities[("MSFT", "TICKER")] == 1
    assert ("AAPL closed", "ORG") not in entities, "overwrite_ents: the custom match replaces the overlapping one"
    assert entities[("Tim Cook", "PERSON")] == 1 and entities[("Apple", "ORG")] == 1, "the model's others stay"
    assert pipeline.nlp.pipe_names[-1] == "custom_entities"
    ticker = next(e for e in result.entities if e.label == "TICKER" and e.name == "AAPL")
    assert ticker.key == "aapl"


def test_a_changed_file_is_picked_up_after_at_most_a_minute(tmp_path: Path) -> None:
    path = tmp_path / "patterns.jsonl"
    _write(path, [{"label": "TICKER", "pattern": "AAPL"}])
    clock = Clock()
    pipeline = DocumentPipeline(_nlp(), patterns=EntityPatterns(str(path), clock=clock))
    assert {e.name for e in pipeline.process(_doc()).entities if e.label == "TICKER"} == {"AAPL"}
    _write(path, [{"label": "TICKER", "pattern": "MSFT"}, {"label": "TICKER", "pattern": "AAPL"}, {}][:2])
    clock.now += 30
    assert {e.name for e in pipeline.process(_doc()).entities if e.label == "TICKER"} == {"AAPL"}, "not checked yet"
    clock.now += 31
    assert {e.name for e in pipeline.process(_doc()).entities if e.label == "TICKER"} == {"AAPL", "MSFT"}


def test_a_broken_update_keeps_the_patterns_in_use(tmp_path: Path) -> None:
    path = tmp_path / "patterns.jsonl"
    _write(path, [{"label": "TICKER", "pattern": "AAPL"}])
    clock = Clock()
    patterns = EntityPatterns(str(path), clock=clock)
    first = patterns.current()
    path.write_text("{not json\n", encoding="utf-8")
    clock.now += 61
    assert patterns.current() is first
    with pytest.raises(ValueError, match="patterns.jsonl:1"):
        EntityPatterns(str(path)).current()


def test_patterns_file_is_validated() -> None:
    assert parse_patterns('{"label": "TICKER", "pattern": "AAPL"}\n\n') == ({"label": "TICKER", "pattern": "AAPL"},)
    with pytest.raises(ValueError, match=":2:"):
        parse_patterns('{"label": "TICKER", "pattern": "AAPL"}\n{"pattern": "MSFT"}\n', "p.jsonl")


@mock_aws
def test_patterns_from_s3_are_re_read_when_the_etag_changes() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="cfg")
    s3.put_object(Bucket="cfg", Key="p.jsonl", Body=b'{"label": "TICKER", "pattern": "AAPL"}\n')
    clock = Clock()
    patterns = EntityPatterns("s3://cfg/p.jsonl", s3_client=s3, clock=clock)
    first = patterns.current()
    assert [p["pattern"] for p in first.patterns] == ["AAPL"]
    clock.now += 61
    assert patterns.current() is first, "same ETag: not read again"
    s3.put_object(Bucket="cfg", Key="p.jsonl", Body=b'{"label": "TICKER", "pattern": "MSFT"}\n')
    assert patterns.current() is first, "checked less than a minute ago"
    clock.now += 61
    assert [p["pattern"] for p in patterns.current().patterns] == ["MSFT"]


def test_from_settings_wires_ner_models_and_patterns(tmp_path: Path) -> None:
    from newsproc.settings import Settings

    path = tmp_path / "patterns.jsonl"
    _write(path, [{"label": "TICKER", "pattern": "AAPL"}])
    _nlp().to_disk(tmp_path / "stand-in")
    settings = Settings.from_env({"NER_MODELS": f"en={tmp_path / 'stand-in'}", "ENTITY_PATTERNS": str(path)})
    pipeline = DocumentPipeline.from_settings(settings)
    assert ("AAPL", "TICKER") in {(e.name, e.label) for e in pipeline.process(_doc()).entities}
