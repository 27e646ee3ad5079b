"""MONEY mentions: spans fixed to amount plus currency, and currency amounts the model missed."""

from __future__ import annotations

import re

from newsproc.pipeline.extract.spans import overlaps, strip

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
    r"|Namibian dollars?|Canadian dollars?)"
)
_NUMBER = r"\d+(?:[.,\u00a0 ]\d{3})*(?:[.,]\d+)?"
_MONEY_RE = re.compile(
    rf"(?<![\w$£€¥₹])(?:{_CURRENCY_PREFIX}[^\S\n]?{_NUMBER}(?:[^\S\n]?(?:-|–|to)[^\S\n]?{_NUMBER})?"
    rf"(?:[^\S\n]?{_SCALE}\b)?(?:[^\S\n]{_CURRENCY_WORD}\b)?"
    rf"|{_NUMBER}(?:[^\S\n]?{_SCALE})?[^\S\n]{_CURRENCY_WORD}\b)"
)
# Hedges and articles before an amount: not part of the MONEY span ("about $5m" -> "$5m").
_MONEY_LEAD = re.compile(
    r"(?:(?:less|more|fewer|greater|higher|lower)\s+than|(?:an?\s+)?(?:estimated|additional|extra|further)"
    r"|about|around|approximately|approx\.?|roughly|nearly|almost|some|only|just|over|under|up\s+to"
    r"|close\s+to|at\s+least|at\s+most|another|a\s+total\s+of|a\s+further|totall?ing|worth|a\s+few"
    r"|a|an|the|between|from|of|above|below|circa|c\.)\s+",
    re.I,
)
# Currency letters that are also initials or single-letter words: money only right before a number.
_SINGLE_LETTER_CURRENCY = {"N", "R", "P"}
_TRAILING_CONJUNCTION = re.compile(r"\s(?:to|and)$")


def money_fix(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Fixed span for one model MONEY mention: no percentages, no hedge words, the currency and scale included."""
    if _PERCENT.search(text[start:end]):
        return []
    start, end = strip(text, start, end)
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
    span = text[start:end]
    if not span or (not any(ch.isdigit() for ch in span) and not re.search(_SCALE + r"|hundred", span)):
        return []
    if m := _TRAILING_CONJUNCTION.search(span):
        end = start + m.start()
    return [(start, end, "MONEY")]


def money_patterns(text: str, existing: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
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
        if overlaps(taken, s, e):
            continue
        found.append((s, e, "MONEY"))
    return found
