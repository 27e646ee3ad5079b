"""Word lists, as data, in the compact style of spaCy's language data: one string, entries split by commas.

Standard library only: `newsproc.names` (and so the API function) reads the honorifics.
"""

from __future__ import annotations


def _entries(text: str) -> tuple[str, ...]:
    return tuple(entry.strip() for entry in text.replace("\n", ",").split(",") if entry.strip())


# Titles and roles written before a name ("President Vladimir Putin", "Mr Kim", "midfielder Mo Salah"):
# left out of PERSON spans and entity names. Lower case; matched case-insensitively, with or without a dot.
HONORIFICS = _entries("""
mr, mrs, ms, miss, mx, dr, prof, professor, sir, dame, lord, lady, madam, president, vice president,
vice-president, prime minister, premier, minister, senator, sen, rep, representative, gov, governor,
general, gen, lt, lieutenant, col, colonel, maj, major, capt, captain, sgt, sergeant, cpl, adm,
admiral, cmdr, commander, brig, brigadier, marshal, field marshal, king, queen, prince, princess,
emperor, empress, sheikh, sheik, shaikh, emir, sultan, pope, cardinal, bishop, archbishop, rev,
reverend, father, imam, rabbi, chancellor, judge, justice, magistrate, chairman, chairwoman,
chairperson, chief, ceo, mayor, deputy, secretary, ambassador, legislator, lawmaker, councillor,
councilor, comrade, hon, honourable, honorable, engr, eng, barrister, chief minister, speaker,
inspector, superintendent, officer, coach, president-elect, former, late, then, then-president, mp,
si, his majesty, her majesty, majesty, his highness, her highness, highness, his excellency,
her excellency, excellency, amir, counselor, counsellor, midfielder, striker, defender, goalkeeper,
opposition leader, leader, spokesman, spokeswoman, spokesperson, director, sheikha, crown prince,
supt, insp, cpt, pres
""")

# Names the statistical model does not know or labels inconsistently. Matched case-insensitively by
# spaCy's entity_ruler after the ner (overwriting overlapping model entities).
RULER_PHRASES: dict[str, tuple[str, ...]] = {
    # diseases / the pandemic: a named event for indexing purposes
    "EVENT": _entries("""
COVID-19, COVID 19, COVID19, Covid, coronavirus, SARS-CoV-2, monkeypox, mpox, Ebola, Zika, MERS
"""),
    # consumer products, devices and apps that are products rather than companies
    "PRODUCT": _entries("""
iPhone, iPad, iPod, MacBook, Xbox, PlayStation, PS4, PS5, Nintendo Switch, WeChat, WhatsApp, TikTok,
YouTube, Instagram, Weibo, Zoom, GitHub, Google Translate, Google Maps, Gmail, ChatGPT, Android,
Windows 10, Windows 11, Telegram app, Boeing 737, Boeing 747, Boeing 777, Boeing 787, Airbus A320,
Airbus A380
"""),
}
