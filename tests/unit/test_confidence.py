"""Mention and entity confidence (NER_CONFIDENCE): sources, fixed values, calibration, schema v4."""

from __future__ import annotations

import pytest
import spacy

from newsproc.media import DocumentInput, document_id_for
from newsproc.models import SCHEMA_VERSION, ResultDocument, Source
from newsproc.pipeline.extract import confidence as conf
from newsproc.pipeline.extract import extract_mentions
from newsproc.pipeline.extract.confidence import (
    ChunkEvidence,
    calibrate,
    entity_confidence,
    expected_calibration_error,
    mention_confidence,
    mention_source,
)
from newsproc.pipeline.run import DocumentPipeline
from newsproc.settings import Settings

pytestmark = pytest.mark.unit

TEXT = "Carlos Moedas met Ana Gomes in Lisbon. Moedas said the bridge would cost $1.8 billion."


def _evidence() -> ChunkEvidence:
    # "Carlos Moedas" 0-13, "Ana Gomes" 18-27, "Lisbon" 31-37, "Moedas" 39-45
    return ChunkEvidence(
        parses=[
            (0.7, [(0, 13, "PERSON"), (18, 27, "PERSON"), (31, 37, "GPE"), (39, 45, "ORG")]),
            (0.2, [(0, 13, "PERSON"), (18, 27, "ORG"), (31, 37, "GPE"), (39, 45, "ORG")]),
            (0.1, [(0, 6, "PERSON"), (31, 37, "GPE")]),
        ],
        model_spans=[(0, 13, "PERSON"), (18, 27, "PERSON"), (39, 45, "ORG")],
        ruler_spans=[(31, 37)],
    )


def test_sources_of_mentions() -> None:
    ev = _evidence()
    assert mention_source(0, 13, "PERSON", ev) == "model"
    assert mention_source(31, 37, "GPE", ev) == "ruler"
    assert mention_source(39, 45, "PERSON", ev) == "relabel"  # harmonize made the model's ORG a PERSON
    assert mention_source(73, 85, "MONEY", ev) == "rule"  # no doc entity there: a money pattern


def test_model_mentions_get_the_calibrated_beam_mass(monkeypatch) -> None:
    ev = _evidence()
    monkeypatch.setattr(conf, "PLATT", None)
    assert mention_confidence(0, 13, "PERSON", ev) == pytest.approx(1.0)  # overlap: (0, 6) counts too
    assert mention_confidence(18, 27, "PERSON", ev) == pytest.approx(0.7)
    monkeypatch.setattr(conf, "PLATT", (0.5, 0.0))
    assert mention_confidence(18, 27, "PERSON", ev) == pytest.approx(calibrate(0.7), abs=1e-4)
    assert 0.5 < calibrate(0.7) < 0.7  # a < 1 flattens towards 0.5
    assert calibrate(0.0) > 0 and calibrate(1.0) < 1


def test_fixed_values_for_rule_made_mentions() -> None:
    ev = _evidence()
    assert mention_confidence(31, 37, "GPE", ev) == conf.FIXED_CONFIDENCE["ruler"]
    assert mention_confidence(39, 45, "PERSON", ev) == conf.FIXED_CONFIDENCE["relabel"]
    assert mention_confidence(73, 85, "MONEY", ev) == conf.FIXED_CONFIDENCE["rule"]
    assert all(0 <= v <= 1 for v in conf.FIXED_CONFIDENCE.values())


def test_entity_confidence_is_the_highest_mention_confidence() -> None:
    assert entity_confidence([0.4, 0.9, None]) == 0.9
    assert entity_confidence([None, None]) is None
    assert entity_confidence([]) is None


def test_expected_calibration_error() -> None:
    perfect = [(0.75, True)] * 3 + [(0.75, False)] + [(0.25, False)] * 3 + [(0.25, True)]
    assert expected_calibration_error(perfect)[0] == pytest.approx(0.0)
    ece, bins = expected_calibration_error([(0.95, False), (0.95, True)])
    assert ece == pytest.approx(0.45) and bins[9] == (2, pytest.approx(0.95), 0.5)
    assert expected_calibration_error([(1.0, True)])[1][9][0] == 1  # 1.0 falls in the last bin


def _blank():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Carlos Moedas"}, {"label": "GPE", "pattern": "Lisbon"}])
    return nlp


def test_extract_mentions_confidence_off_and_on() -> None:
    nlp = _blank()
    [plain] = extract_mentions(nlp, [TEXT])
    [scored] = extract_mentions(nlp, [TEXT], confidence=True)
    assert all(m.confidence is None for m in plain)
    assert [(m.start, m.end, m.label) for m in plain] == [(m.start, m.end, m.label) for m in scored]
    by_text = {m.text: m.confidence for m in scored}
    assert by_text["Carlos Moedas"] == by_text["Lisbon"] == conf.FIXED_CONFIDENCE["ruler"]  # no ner: rulers only
    assert by_text["$1.8 billion"] == conf.FIXED_CONFIDENCE["rule"]  # the money pattern
    assert by_text["Moedas"] == conf.FIXED_CONFIDENCE["rule"]  # a repeated surname added by harmonize


def _doc(text: str = TEXT) -> DocumentInput:
    return DocumentInput(document_id=document_id_for("b", "t.txt"), data=text.encode(), source=Source(key="t.txt"))


def test_pipeline_confidence_setting() -> None:
    off = DocumentPipeline(_blank()).process(_doc())
    assert off.schema_version == SCHEMA_VERSION == "5"
    assert off.mentions and all(m.confidence is None for m in off.mentions)
    assert all(e.confidence is None for e in off.entities)
    on = DocumentPipeline(_blank(), confidence=True).process(_doc())
    assert [(m.start, m.end, m.label) for m in on.mentions] == [(m.start, m.end, m.label) for m in off.mentions]
    moedas = next(e for e in on.entities if e.name == "Carlos Moedas")
    assert moedas.count == 2
    assert moedas.confidence == max(m.confidence for m in on.mentions if m.entity_id == moedas.id)
    assert Settings.from_env({}).ner_confidence is False
    assert Settings.from_env({"NER_CONFIDENCE": "true"}).ner_confidence is True


def test_a_v3_document_without_confidence_still_loads() -> None:
    v3 = {
        "schema_version": "3",
        "document_id": "d",
        "status": "PROCESSED",
        "mentions": [{"start": 0, "end": 6, "text": "Lisbon", "label": "GPE", "entity_id": "e"}],
        "entities": [{"id": "e", "key": "lisbon", "name": "Lisbon", "label": "GPE", "count": 1, "first_start": 0}],
        "pipeline": {"version": "0"},
    }
    doc = ResultDocument.model_validate(v3)
    assert doc.mentions[0].confidence is None and doc.entities[0].confidence is None
