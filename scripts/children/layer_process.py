"""Process-path child of scripts/layer_smoke.py, run by a fresh python3.12 on the built layers only.

    python3.12 -s -P scripts/children/layer_process.py TEXT HTML [--modules]

Loads the model (newsproc.pipeline.extract.load_nlp), runs DocumentPipeline.process_batch on the text
and the HTML article and the optional trafilatura HTML path. Prints one JSON line.
"""

import json
import sys
import time


def main(text_arg: str, html_arg: str, modules: bool) -> dict:
    started = time.perf_counter()
    from newsproc.media import DocumentInput
    from newsproc.models import Source
    from newsproc.pipeline.extract import load_nlp
    from newsproc.pipeline.run import DocumentPipeline

    nlp = load_nlp()
    pipeline = DocumentPipeline(nlp)
    text = text_arg.encode()
    html = html_arg.encode()
    docs = [
        DocumentInput("smoke-txt", text, Source(bucket="smoke", key="a.txt", size=len(text))),
        DocumentInput("smoke-html", html, Source(bucket="smoke", key="b.html", size=len(html))),
    ]
    results = pipeline.process_batch(docs)
    # the optional/fallback HTML path must work in the slimmed layer too
    from newsproc.pipeline.clean import clean_html

    trafilatura_words = len(clean_html(html_arg, "trafilatura").text.split())
    # near-duplicate signatures (numpy as slimmed in the NlpLayer) and the gazetteer (package data)
    from newsproc.pipeline.similarity import signature

    sig = signature(results[0].clean_text)
    out = {
        "trafilatura_words": trafilatura_words,
        "signature_bands": len(sig.band_keys()) if sig else 0,
        "linked_places": sorted(e.name for r in results for e in r.entities if e.links),
        "python": sys.version.split()[0],
        "status": [r.status.value for r in results],
        "errors": [r.error.message if r.error else None for r in results],
        "entities": [sorted({(e.name, e.label) for e in r.entities}) for r in results],
        "language": [r.metadata.language for r in results],
        "model_version": results[0].pipeline.model_version,
        "seconds": round(time.perf_counter() - started, 2),
        # where every imported module came from (this program itself, __main__, is not one of them)
        "paths": sorted({m.__file__.split("/python/")[0] for name, m in list(sys.modules.items())
                         if name != "__main__" and getattr(m, "__file__", None) and "/python/" in m.__file__}),
    }  # fmt: skip
    if modules:
        out["modules"] = sorted(sys.modules)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], "--modules" in sys.argv[3:])))
