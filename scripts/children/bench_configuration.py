"""Cold start child of `python -m scripts.bench --only configurations`: one NER configuration, fresh process.

    python scripts/children/bench_configuration.py NER_MODELS PATH   (cwd: the repository)

Imports the document pipeline, loads every pipeline NER_MODELS names (in its order; the service loads the
first at init and the others on first use), then processes the raw article in PATH once.
Prints one JSON line: init_s (imports and every model loaded), load_<lang>_s per pipeline, first_s (since
the first line of this file), done_at (time.monotonic(), the parent's clock), language, entities.
"""

import time

t0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402


def main(spec: str, path: str) -> dict:
    from newsproc.media import DocumentInput
    from newsproc.models import Source
    from newsproc.pipeline.extract.languages import NerModels
    from newsproc.pipeline.run import DocumentPipeline

    models = NerModels.from_spec(spec)
    loads = {}
    for language in models:
        started = time.perf_counter()
        models[language]  # noqa: B018 - loads the pipeline (NerModels loads lazily)
        loads[f"load_{language}_s"] = time.perf_counter() - started
    pipeline = DocumentPipeline(models)
    t_init = time.perf_counter()
    with open(path, "rb") as file:
        data = file.read()
    result = pipeline.process(DocumentInput("cold", data, Source(bucket="b", key="a.txt", size=len(data))))
    assert result.entities, result.error
    return {"init_s": t_init - t0, **loads, "first_s": time.perf_counter() - t0, "done_at": time.monotonic(),
            "language": result.metadata.language, "entities": len(result.entities)}  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:3])))
