"""The processing steps, in order; run.py runs them (`DocumentPipeline`).

    decode.py        bytes -> text: charset, Unicode repair, the JSON envelope
    clean/           boilerplate out, metadata out (text and HTML)
    language.py      which language the clean text is in
    extract/         spaCy NER over the clean text, mention rules on top
    canonicalize.py  mentions merged into entities with keys, counts, salience
    run.py           DocumentPipeline: the steps above for a batch of documents

Ships in the process function only: extract/ and canonicalize.py need the NlpLayer (spaCy, rapidfuzz).
Nothing is imported here, so `newsproc.pipeline.decode` stays importable on the CoreLayer alone.
"""
