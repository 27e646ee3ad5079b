"""Mention confidence from spaCy's beam search over the same ner model (NER_CONFIDENCE, off by default).

The greedy ner still makes the predictions (they are unchanged); on the side, a beam search (`beam_parse`:
spaCy's `ner.beam_parse` with locally normalised scores) runs the same model with `BEAM_WIDTH` states on
the same tokens and returns the final parses with their probabilities (normalised over the beam). A
mention's confidence is the probability mass of the parses that contain an entity with the mention's
(service) label overlapping the mention's span: overlap, not exact span, because the boundary rules move
spans the model made ("the United Nations" -> "United Nations", "between 2016 and 2020" -> "2016", "2020").
Mentions the model did not make get a fixed value, measured as the precision of that kind of
mention on the dev set (docs/entities.md, "Confidence"), `FIXED_CONFIDENCE`:

* "ruler": a span set by an entity_ruler (the built-in English phrases, a deployment's patterns);
* "rule": a mention no doc entity overlaps (money patterns, bracket acronyms, repeated surnames);
* "relabel": the model's entity there has another label (harmonize changed it).

The beam mass of the model's own mentions is overconfident (most are >= 0.99 and ~80 % of those are right
by the gold's conventions), so it is mapped through Platt scaling fitted on half the dev set (`PLATT`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsproc.pipeline.extract.chunks import chunk_text
from newsproc.pipeline.extract.model import service_label

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

BEAM_WIDTH = 8
BEAM_DENSITY = 0.0001
# The beam runs on pieces of at most this many characters (cut at paragraph, line, sentence or space breaks):
# over a whole 20,000-character chunk the beam's parses differ in a few places only and every other span would get 1.0.
# The ner sees a few tokens either side, so pieces change the parses only at their edges.
PIECE_CHARS = 300
BEAM_BATCH = 64
TEMPERATURE = 1.0  # divides the action scores before the log-softmax (2 and 4 gave no better calibration)
# Fixed values for mentions the beam does not score: the precision of each kind on the dev set
# (scripts/eval_entities.py prints them: "confidence fit: ...").
# Measured 2026-12-02 on the 175 even-numbered dev documents: ruler 0.836 (n=61), rule 0.827 (n=225),
# relabel 0.716 (n=306).
FIXED_CONFIDENCE = {"ruler": 0.84, "rule": 0.83, "relabel": 0.72}
# Platt scaling (a, b) of the beam mass, fitted on the even-numbered dev documents (6,697 model mentions);
# None: the raw beam mass.
PLATT: tuple[float, float] | None = (0.215, -0.2)
_RULER_FACTORIES = frozenset({"entity_ruler"})


@dataclass
class ChunkEvidence:
    """Per chunk (character offsets into the chunk): beam parses, and where the doc's entities came from."""

    parses: list[tuple[float, list[tuple[int, int, str]]]] = field(default_factory=list)
    model_spans: list[tuple[int, int, str]] = field(default_factory=list)
    ruler_spans: list[tuple[int, int]] = field(default_factory=list)

    def shifted(self, offset: int) -> ChunkEvidence:
        return ChunkEvidence(
            parses=[(p, [(s + offset, e + offset, lab) for s, e, lab in ents]) for p, ents in self.parses],
            model_spans=[(s + offset, e + offset, lab) for s, e, lab in self.model_spans],
            ruler_spans=[(s + offset, e + offset) for s, e in self.ruler_spans],
        )


def _rulers(nlp: Language) -> list:
    return [
        proc
        for name, proc in nlp.pipeline
        if nlp.get_pipe_meta(name).factory in _RULER_FACTORIES and hasattr(proc, "match") and len(proc)
    ]


def beam_parse(
    ner, docs: list, beam_width: int = BEAM_WIDTH, beam_density: float = BEAM_DENSITY, temperature: float = TEMPERATURE
) -> list:
    """`ner.beam_parse` with locally normalised action scores.

    spaCy's own beam_parse adds the model's raw action scores along a path; the shipped ner models were
    trained greedily, so raw scores are not comparable between steps, and the beam's best parse then often
    differs from the greedy one (and its probabilities are far too peaked). With each step's scores turned
    into log-probabilities (log-softmax), a path's score is the log-probability of the parse under the
    model, width 1 is the greedy parse, and the beam probabilities approximate the posterior over parses."""
    import numpy
    from spacy.pipeline._parser_internals import _beam_utils

    ner._ensure_labels_are_added(docs)
    batch = _beam_utils.BeamBatch(ner.moves, ner.moves.init_batch(docs), None, beam_width, density=beam_density)
    model = ner.model.predict(docs)
    while not batch.is_done:
        states = batch.get_unfinished_states()
        if not states:
            break
        scores = numpy.asarray(model.predict(states), dtype="float32") / temperature
        scores = scores - scores.max(axis=1, keepdims=True)
        scores = numpy.ascontiguousarray(scores - numpy.log(numpy.exp(scores).sum(axis=1, keepdims=True)))
        batch.advance(scores)
    model.clear_memory()
    return list(batch)


def pipe_with_evidence(
    nlp: Language, texts: Iterable[str], batch_size: int = 16
) -> Iterator[tuple[Doc, ChunkEvidence]]:
    """`nlp.pipe(texts)` (same docs, same entities) plus each doc's ChunkEvidence.

    The beam runs on freshly tokenized docs before the pipeline sets entities (the ner's transition system
    keeps entities already on a doc, so a beam over the annotated doc would only repeat the greedy parse)."""
    from spacy.util import minibatch

    ner = nlp.get_pipe("ner") if "ner" in nlp.pipe_names else None
    rulers = _rulers(nlp)
    for batch in minibatch(texts, size=batch_size):
        batch_evidence = [ChunkEvidence() for _ in batch]
        if ner is not None:
            pieces = [(i, off, piece) for i, text in enumerate(batch) for off, piece in chunk_text(text, PIECE_CHARS)]
            for group in minibatch(pieces, size=BEAM_BATCH):
                piece_docs = [nlp.make_doc(piece) for _, _, piece in group]
                beams = beam_parse(ner, piece_docs)
                for (i, off, _), doc, beam in zip(group, piece_docs, beams, strict=True):
                    batch_evidence[i].parses.extend(_parses(doc, ner.moves.get_beam_parses(beam), off))
        docs = nlp.pipe((nlp.make_doc(text) for text in batch), batch_size=batch_size)
        for doc, evidence in zip(docs, batch_evidence, strict=True):
            ruler_tokens = {(s, e) for ruler in rulers for _, s, e in ruler.match(doc)} if rulers else set()
            for ent in doc.ents:
                if (ent.start, ent.end) in ruler_tokens:
                    evidence.ruler_spans.append((ent.start_char, ent.end_char))
                elif (label := service_label(ent.label_)) is not None:
                    evidence.model_spans.append((ent.start_char, ent.end_char, label))
            yield doc, evidence


def _parses(doc: Doc, parses: list, offset: int) -> list[tuple[float, list[tuple[int, int, str]]]]:
    out = []
    for prob, ents in parses:
        kept = []
        for start, end, label in ents:
            mapped = service_label(label)
            if mapped is not None:
                kept.append((offset + doc[start].idx, offset + doc[end - 1].idx + len(doc[end - 1]), mapped))
        out.append((float(prob), kept))
    return out


def merge(evidence: Iterable[ChunkEvidence]) -> ChunkEvidence:
    out = ChunkEvidence()
    for e in evidence:
        out.parses.extend(e.parses)
        out.model_spans.extend(e.model_spans)
        out.ruler_spans.extend(e.ruler_spans)
    return out


def mention_source(start: int, end: int, label: str, evidence: ChunkEvidence) -> str:
    """Where a final mention comes from: "ruler", "rule" (no doc entity there), "relabel" (the model's entity
    there has another label: harmonize changed it) or "model"."""
    if any(s < end and start < e for s, e in evidence.ruler_spans):
        return "ruler"
    labels = {lab for s, e, lab in evidence.model_spans if s < end and start < e}
    if not labels:
        return "rule"
    return "model" if label in labels else "relabel"


def beam_mass(start: int, end: int, label: str, evidence: ChunkEvidence) -> float:
    """Probability mass of the beam parses with an entity of `label` overlapping [start, end)."""
    mass = sum(p for p, ents in evidence.parses if any(s < end and start < e and lab == label for s, e, lab in ents))
    return min(1.0, max(0.0, mass))


def calibrate(mass: float) -> float:
    """Platt scaling of the beam mass: sigmoid(PLATT_A * logit(mass) + PLATT_B) (fitted on dev, docs/entities.md)."""
    if PLATT is None:
        return mass
    a, b = PLATT
    p = min(1 - 1e-4, max(1e-4, mass))
    return 1.0 / (1.0 + math.exp(-(a * math.log(p / (1 - p)) + b)))


def mention_confidence(start: int, end: int, label: str, evidence: ChunkEvidence) -> float:
    """The confidence of one final mention (module docstring)."""
    source = mention_source(start, end, label, evidence)
    value = calibrate(beam_mass(start, end, label, evidence)) if source == "model" else FIXED_CONFIDENCE[source]
    return round(min(1.0, max(0.0, value)), 4)


def entity_confidence(confidences: Iterable[float | None]) -> float | None:
    """An entity's confidence: the highest of its mentions' (None when none has one).

    The entity is right when at least one of its mentions is; P(at least one) >= the largest single
    probability whatever the dependence between mentions, while the noisy-OR 1 - prod(1 - c) assumes them
    independent, which they are not (same name, same model, same document), and reaches ~1 for any name
    mentioned a few times."""
    values = [c for c in confidences if c is not None]
    return max(values) if values else None


def expected_calibration_error(
    pairs: Iterable[tuple[float, bool]], bins: int = 10
) -> tuple[float, list[tuple[int, float, float]]]:
    """ECE over `bins` equal-width bins of (confidence, correct) pairs; also (n, mean confidence, accuracy) per bin."""
    table: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for conf, ok in pairs:
        table[min(bins - 1, int(conf * bins))].append((conf, ok))
    total = sum(len(b) for b in table) or 1
    ece = 0.0
    rows = []
    for b in table:
        if not b:
            rows.append((0, 0.0, 0.0))
            continue
        mean_conf = sum(c for c, _ in b) / len(b)
        acc = sum(ok for _, ok in b) / len(b)
        ece += len(b) / total * abs(acc - mean_conf)
        rows.append((len(b), mean_conf, acc))
    return ece, rows
