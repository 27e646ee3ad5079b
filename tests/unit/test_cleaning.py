"""Unit tests for the cleaner, one group per rule family. All texts are invented for these tests."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsproc.pipeline.clean import CleanedText, clean_html, clean_text
from newsproc.pipeline.clean.cleaner import _text_units
from newsproc.pipeline.clean.metadata import find_date, is_date_line
from newsproc.pipeline.clean.normalize import normalize_line
from newsproc.pipeline.clean.stopwords import LANGUAGES, pick_stoplist, stoplist

pytestmark = pytest.mark.unit

PROSE = [
    "The harbour authority said on Monday that the new ferry line would open in the spring, after a "
    "delay of almost two years caused by the shortage of qualified welders at the local yard.",
    "Residents of the island have waited for the service since the old boat was retired, and many of "
    "them said they were relieved that the crossing would again take less than an hour.",
    "According to the mayor, the ferry will run six times a day in summer and four times a day in "
    "winter, with a reduced fare for pupils and for people over the age of seventy.",
    "The company that builds the vessel expects to deliver it in February, when the crew will begin a "
    "month of training on the route before the first passengers are allowed on board.",
]
MENU = ["Home", "News", "Sport", "Weather", "Business", "Culture", "Contact us", "Log in", "Search"]


def page(*parts: list[str] | str) -> str:
    lines: list[str] = []
    for part in parts:
        lines.extend([part] if isinstance(part, str) else part)
    return "\n".join(lines)


def removed_reasons(result: CleanedText) -> dict[str, str]:
    return {seg.text: seg.reason for seg in result.removed}


# ---------------------------------------------------------------- main block and paragraphs


def test_menus_around_the_article_are_dropped_and_paragraphs_kept() -> None:
    result = clean_text(page(MENU, "Ferry line to reopen next spring", PROSE, MENU))
    assert result.text == "\n\n".join(PROSE)
    assert all(item not in result.text.split("\n\n") for item in MENU)
    assert removed_reasons(result)["Weather"] == "outside_main_block"


def test_short_heading_inside_the_article_survives() -> None:
    result = clean_text(page(MENU, PROSE[:2], "What happens next", PROSE[2:], MENU))
    assert "What happens next" in result.text.split("\n\n")


def test_a_page_saved_as_one_line_is_cleaned_sentence_by_sentence() -> None:
    # a scraper that collapsed every line break: menus, article and footer on one line
    footer = [
        "Sign up for our newsletter to get the latest stories straight to your inbox.",
        "We use cookies to improve your experience on our website.",
        "© 2024 Island Gazette. All rights reserved.",
    ]
    flat = " ".join([*MENU, "Ferry line to reopen next spring", *PROSE, *footer])
    result = clean_text(flat)
    assert all(sentence in result.text for sentence in PROSE)
    assert result.text.split("\n\n")[1:] == PROSE[1:], "one sentence a paragraph"
    assert not any(line in result.text for line in footer)
    assert {seg.reason for seg in result.removed} >= {"newsletter", "copyright"}


def test_sentences_of_a_flat_text_split_at_sentence_ends_only() -> None:
    line = (
        'Mr. Moedas met Dr. Ana J. Jara in the U.S. capital. "We agree," he said. "It is done." '
        "The vote is on Friday… Nobody knows? Yes!"
    )
    flat = " ".join([line] * 8)  # long enough (FLAT_TOKENS) to count as a text without lines
    sentences = [s for s in _text_units(flat) if s][:5]
    assert sentences == [
        "Mr. Moedas met Dr. Ana J. Jara in the U.S. capital.",
        '"We agree," he said.',
        '"It is done."',
        "The vote is on Friday…",
        "Nobody knows?",
    ]


def test_a_text_with_lines_is_not_split_into_sentences() -> None:
    long_paragraph = " ".join(PROSE * 2)  # 250 tokens, but less than 90 % of the text
    assert _text_units(page(MENU, long_paragraph, PROSE, MENU)) == [*MENU, long_paragraph, *PROSE, *MENU]


def test_empty_and_whitespace_input() -> None:
    assert clean_text("").text == ""
    assert clean_text("  \n\n \t \n").text == ""


def test_blank_line_separated_input_keeps_paragraphs_and_joins_wrapped_lines() -> None:
    cut = PROSE[0].index(" ", 90)
    wrapped = PROSE[0][:cut] + "\n" + PROSE[0][cut + 1 :]
    result = clean_text(wrapped + "\n\n" + PROSE[1] + "\n\n" + PROSE[2])
    assert result.text.split("\n\n") == PROSE[:3]


# ---------------------------------------------------------------- section ends


def test_related_list_after_the_article_is_dropped() -> None:
    related = [
        "Related stories",
        "Council approves the budget for the new bridge over the river",
        "Ten things to do in the old town this weekend with the kids",
        "Police close the coastal road after a landslide near the lighthouse",
    ]
    result = clean_text(page(MENU, PROSE, related, MENU))
    assert result.text == "\n\n".join(PROSE)


def test_comment_section_after_the_article_is_dropped() -> None:
    comments = [
        "12 Comments",
        "harbourfan says:",
        "I have been waiting for this ferry for years and I really hope it will keep to the timetable.",
        "oldsailor says:",
        "They said the same thing last year and nothing happened, so I will believe it when I see it.",
    ]
    result = clean_text(page(MENU, PROSE, comments))
    assert result.text == "\n\n".join(PROSE)
    assert removed_reasons(result)["12 Comments"] == "comments"


# ---------------------------------------------------------------- line patterns inside the article


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Advertisement", "advertisement"),
        ("Story continues below advertisement", "advertisement"),
        ("Share on Facebook", "share"),
        ("Facebook Twitter WhatsApp Email", "share"),
        ("Photo: Jane Example / Example Agency", "caption_credit"),
        ("Image 3 of 12", "caption_credit"),
        ("Sign up for our daily newsletter", "newsletter"),
        ("We use cookies to improve your experience on our site. Accept all cookies", "cookie"),
        ("Copyright 2024 Example Media. All rights reserved.", "copyright"),
        ("Write to the reporter at reporter@example.com", "contact"),
    ],
)
def test_boilerplate_line_inside_the_article_is_removed(line: str, reason: str) -> None:
    result = clean_text(page(MENU, PROSE[:2], line, PROSE[2:], MENU))
    assert line not in result.text
    assert result.text == "\n\n".join(PROSE)
    assert removed_reasons(result)[line] == reason


def test_repeated_line_is_kept_once() -> None:
    result = clean_text(page(MENU, PROSE[:2], PROSE[1], PROSE[2:], MENU))
    assert result.text.split("\n\n") == PROSE
    assert removed_reasons(result)[PROSE[1]] == "repeated_line"


def test_article_sentence_mentioning_a_newsletter_is_kept() -> None:
    sentence = (
        "The ferry company said it would tell passengers about delays in a weekly newsletter and on the "
        "notice board at the harbour, as it had done for the old service."
    )
    result = clean_text(page(MENU, PROSE[:2], sentence, PROSE[2:], MENU))
    assert sentence in result.text


# ---------------------------------------------------------------- prompts glued to prose or dates


def test_leading_date_line_with_prompt_gives_date_and_is_removed() -> None:
    first = (
        "date 2024-03-05 Get the top stories sent straight to your inbox every morning Sign up to our "
        "free daily emails Please enter a valid email address SIGN UP Thanks for signing up to the"
    )
    result = clean_text(page(first, "", PROSE[0], "", PROSE[1]))
    assert result.published == "2024-03-05"
    assert result.text == "\n\n".join(PROSE[:2])
    assert "inbox" not in result.text
    reasons = {seg.reason for seg in result.removed}
    assert {"date_line", "prompt_on_date_line"} <= reasons


def test_date_line_with_prompt_below_the_menu_gives_date() -> None:
    dated = "date 2024-03-05 Sign up to our free daily emails Please enter a valid email address"
    result = clean_text(page(MENU, dated, PROSE[0], PROSE[1]))
    assert result.published == "2024-03-05"
    assert result.text == "\n\n".join(PROSE[:2])


def test_prompt_sentence_at_the_end_of_a_paragraph_is_cut() -> None:
    glued = PROSE[3] + " Sign up for our newsletter to get the latest stories straight to your inbox."
    result = clean_text(page(MENU, PROSE[:3], glued, MENU))
    assert result.text.split("\n\n")[-1] == PROSE[3]
    assert any(seg.reason == "prompt_sentence" for seg in result.removed)


def test_cutting_a_prompt_sentence_keeps_the_closing_quote_before_it() -> None:
    quoted = '"We will keep the fares low for pupils and pensioners," the mayor told the council on Monday.'
    glued = quoted[:-1] + ', adding: "It is done."  Sign up for our newsletter to get the stories in your inbox.'
    result = clean_text(page(MENU, PROSE[:3], glued, MENU))
    assert result.text.split("\n\n")[-1] == glued.split("  ")[0]


# ---------------------------------------------------------------- metadata


def test_title_byline_and_date_above_the_article() -> None:
    header = ["Ferry line to reopen next spring", "By Anna Example and Ben Sample", "March 5, 2024 10:15 am"]
    result = clean_text(page(MENU, header, PROSE, MENU))
    assert result.title == "Ferry line to reopen next spring"
    assert result.byline == "Anna Example and Ben Sample"
    assert result.published == "2024-03-05"
    assert "Ferry line to reopen" not in result.text


@pytest.mark.parametrize(
    ("header", "byline", "published"),
    [
        (["By Anna Example, March 5, 2024 10:15 am"], "Anna Example", "2024-03-05"),
        (["By Anna Example | Coastal Times", "March 5, 2024"], "Anna Example", "2024-03-05"),
        (["By", "Anna Example", "2024-03-05"], "Anna Example", "2024-03-05"),
        (["von", "an", "2024-03-05"], None, "2024-03-05"),  # a sharing widget's "from ... to", not a byline
    ],
)
def test_a_byline_beside_its_date_or_below_a_lone_by(header: list[str], byline: str | None, published: str) -> None:
    result = clean_text(page(MENU, "Ferry line to reopen next spring", header, PROSE, MENU))
    assert (result.byline, result.published) == (byline, published)
    assert result.title == "Ferry line to reopen next spring"


def test_a_lone_by_never_takes_the_article_first_line_for_a_name() -> None:
    result = clean_text(page(MENU, "Ferry line to reopen next spring", "By", "Harbour Works Begin In March", PROSE))
    assert result.byline is None
    assert result.text.startswith("Harbour Works Begin In March\n\n")


def test_the_title_is_the_line_the_article_opening_repeats() -> None:
    # the paper's name and a gallery link sit between the headline and the article: nearer, but not about it
    header = ["Ferry line to reopen next spring", "Coastal Times Weekly Edition", "Photo Gallery Archive"]
    result = clean_text(page(MENU, header, PROSE, MENU))
    assert result.title == "Ferry line to reopen next spring"


def test_without_a_line_the_article_repeats_the_nearest_title_like_line_stays() -> None:
    # "News" of the menu below the article and "island" of its second paragraph: one word in three, not enough
    header = ["Island News Weekly", "Regional Desk Report"]
    assert clean_text(page(MENU, header, PROSE, MENU)).title == "Regional Desk Report"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Published 2023-11-02", "2023-11-02"),
        ("Updated 9:05 am EST, Thursday, November 2, 2023", "2023-11-02"),
        ("2 November 2023", "2023-11-02"),
        ("Veröffentlicht am 2. November 2023", "2023-11-02"),
        ("02.11.2023, 14:30 Uhr", "2023-11-02"),
    ],
)
def test_date_lines(text: str, iso: str) -> None:
    assert is_date_line(text, len(text.split())) == iso


def test_no_date_in_plain_numbers() -> None:
    assert find_date("He scored 2023 points in 45 games") is None


# ---------------------------------------------------------------- normalization


def test_apostrophes_become_typographic_and_quotes_stay() -> None:
    line = "Un‘s envoy said it`s the team's „best“ offer"
    assert normalize_line(line) == "Un’s envoy said it’s the team’s „best“ offer"


def test_whitespace_is_collapsed_and_invisible_characters_dropped() -> None:
    assert normalize_line("  two\u00a0\u00a0words\u200b here\t ") == "two words here"


def test_words_are_never_rewritten() -> None:
    import re

    raw = page(MENU, PROSE, MENU)
    result = clean_text(raw)
    raw_tokens = set(re.findall(r"\w+", raw))
    assert set(re.findall(r"\w+", result.text)) <= raw_tokens


# ---------------------------------------------------------------- other languages


def test_german_article_is_kept() -> None:
    german = [
        "Die Stadt hat am Montag beschlossen, dass die neue Fähre im Frühjahr wieder fahren soll, nachdem "
        "der Bau wegen fehlender Schweißer fast zwei Jahre lang verzögert worden war.",
        "Die Bewohner der Insel warten seit langem auf die Verbindung, und viele von ihnen sagten, dass sie "
        "sich über die kürzere Überfahrt freuen, die nun wieder weniger als eine Stunde dauern wird.",
        "Nach Angaben des Bürgermeisters wird die Fähre im Sommer sechsmal und im Winter viermal am Tag "
        "fahren, mit einem günstigeren Preis für Schüler und für Menschen über siebzig.",
    ]
    menu = ["Startseite", "Politik", "Wirtschaft", "Sport", "Kontakt", "Impressum"]
    result = clean_text(page(menu, german, "Weitere Artikel", menu))
    assert result.text == "\n\n".join(german)
    assert pick_stoplist([w.lower() for w in " ".join(german).split()])[0] == "German"


def test_stoplists_are_justexts_own() -> None:
    justext = pytest.importorskip("justext")
    for name in LANGUAGES:
        assert stoplist(name) == justext.get_stoplist(name), name


def test_text_path_loads_neither_lxml_nor_justext() -> None:
    """Only HTML needs the markup pass; a text document must not pay for lxml at cold start."""
    code = (
        "import sys; from newsproc.pipeline.clean import clean_text; "
        "clean_text('Menu\\n\\nThe harbour authority said on Monday that the new ferry would open soon.'); "
        "print([m for m in ('lxml', 'justext', 'newsproc.pipeline.clean.dom') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_text_that_is_page_markup_is_laid_out_by_the_markup_pass() -> None:
    """A scrape that kept the page source (one line of tags) is split into lines at the block elements."""
    menu = "".join(f"<td><a href='/{m}'>{m}</a></td>" for m in MENU * 12)
    source = (
        "function goPrint() { window.open('/print.asp', 'preview'); } </script>"
        f"<table><tr>{menu}</tr></table><div class='story'>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</div>"
    )
    assert "\n" not in source and source.count("<") >= 100
    result = clean_text(source)
    assert result.text == "\n\n".join(PROSE)
    # a few tags in ordinary text do not make it markup
    few = page(MENU, f"<b>{PROSE[0]}</b>", PROSE[1:])
    assert "<b>" in clean_text(few).text


# ---------------------------------------------------------------- HTML path


def test_clean_html_extracts_article_and_drops_prompt() -> None:
    body = "".join(f"<p>{p}</p>" for p in PROSE[:2])
    body += "<p>Sign up to our free newsletter. Please enter a valid email address.</p>"
    body += "".join(f"<p>{p}</p>" for p in PROSE[2:])
    html = (
        "<html><head><title>Ferry line to reopen</title></head><body>"
        "<nav><a href='/'>Home</a><a href='/news'>News</a></nav>"
        f"<article><h1>Ferry line to reopen next spring</h1>{body}</article>"
        "<footer>Copyright 2024 Example Media</footer></body></html>"
    )
    result = clean_html(html)
    for p in PROSE:
        assert p in result.text
    assert "newsletter" not in result.text
    assert "\n\n" in result.text


def test_clean_html_on_empty_document() -> None:
    assert clean_html("").text == ""
