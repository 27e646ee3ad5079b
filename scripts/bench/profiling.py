"""bench[profile] (--profile): where the service path spends its time, by function (cProfile).

Each figure names a function object, resolved at run time to the file and name its code has
(`__code__.co_filename`, `co_name`): moving a function to another module does not break the table.
A function that cannot be resolved (renamed, or no longer re-exported) is skipped with a note.
"""

from __future__ import annotations

import cProfile
import importlib
import inspect
import io
import pstats
import textwrap
from collections.abc import Sequence
from typing import Any

from scripts.bench.common import batched, emit, note

# figure -> (module to import, attribute path of the function there)
PROFILED: dict[str, tuple[str, str]] = {
    "decode": ("newsproc.pipeline.decode", "decode"),
    "clean_text": ("newsproc.pipeline.clean", "clean_text"),
    "clean_html": ("newsproc.pipeline.clean", "clean_html"),
    "markup_pass": ("newsproc.pipeline.clean.dom", "parse_page"),
    "trafilatura": ("trafilatura", "bare_extraction"),
    "language": ("newsproc.pipeline.language", "detect_language"),
    # the NER steps: newsproc.pipeline.extract re-exports them, wherever they are defined
    "extract_mentions": ("newsproc.pipeline.extract", "extract_mentions"),
    "restore_case": ("newsproc.pipeline.extract", "restore_case"),
    "postprocess": ("newsproc.pipeline.extract", "postprocess"),
    "harmonize": ("newsproc.pipeline.extract", "harmonize"),
    "boundaries": ("newsproc.pipeline.extract", "boundaries"),
    "nlp_pipe": ("spacy.language", "Language.pipe"),
    "entity_ruler": ("spacy.pipeline", "EntityRuler.__call__"),
    "canonicalize": ("newsproc.pipeline.canonicalize", "canonicalize"),
    "result_document": ("pydantic", "BaseModel.__init__"),
}


def code_key(module: str, attribute: str) -> tuple[str, str]:
    """(co_filename, co_name) of the function, as cProfile records it; LookupError when unresolvable."""
    try:
        target: Any = importlib.import_module(module)
    except ImportError as exc:
        raise LookupError(f"cannot import {module} ({exc})") from None
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise LookupError(f"{module} has no {attribute}")
        target = getattr(target, part)
    code = getattr(inspect.unwrap(target), "__code__", None)
    if code is None:
        raise LookupError(f"{module}.{attribute} has no Python code object")
    return code.co_filename, code.co_name


def resolve(table: dict[str, tuple[str, str]]) -> tuple[dict[tuple[str, str], str], list[str]]:
    """code key -> figure for what resolves, and a note for each figure that does not."""
    keys: dict[tuple[str, str], str] = {}
    skipped = []
    for name, (module, attribute) in table.items():
        try:
            keys[code_key(module, attribute)] = name
        except LookupError as exc:
            skipped.append(f"profile: {name} skipped: {exc}")
    return keys, skipped


def run(pipeline: Any, inputs: Sequence[Any]) -> None:
    """One profiled pass of the service path over the documents."""
    keys, skipped = resolve(PROFILED)
    profiler = cProfile.Profile()
    profiler.enable()
    for batch in batched(inputs, 10):
        pipeline.process_batch(batch)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    found: dict[str, float] = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        name = keys.get((filename, func))
        if name is not None:
            found[name] = found.get(name, 0.0) + ct
    emit(
        "profile",
        total_s=round(total, 2),
        **{f"{k}_pct": round(100 * v / total, 1) for k, v in sorted(found.items(), key=lambda kv: -kv[1])},
    )
    for line in skipped:
        note(line)
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(15)
    print(textwrap.indent(buffer.getvalue().strip(), "    # "), flush=True)
