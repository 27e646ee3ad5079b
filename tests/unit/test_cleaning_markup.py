"""Unit tests for the HTML markup pass (cleaning/dom.py) and how clean_html uses it. Invented pages."""

from __future__ import annotations

import json

import pytest

from newsproc.pipeline.clean import clean_html
from newsproc.pipeline.clean import cleaner as cleaner_module
from newsproc.pipeline.clean.dom import parse_page
from tests.unit.test_cleaning import PROSE

pytestmark = pytest.mark.unit

TEASERS = [
    "Council votes to keep the old lighthouse open for visitors",
    "Storm warning issued for the north coast this weekend",
    "Fishing fleet returns early as prices fall at the market",
]


def article(body: str, head: str = "", before: str = "", after: str = "") -> str:
    return f"<html><head>{head}</head><body>{before}<article>{body}</article>{after}</body></html>"


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def line_for(page_lines, prefix: str):
    return next(ln for ln in page_lines if ln.text.startswith(prefix))


# ---------------------------------------------------------------- layout and evidence


def test_block_elements_become_lines_and_inline_text_joins() -> None:
    html = "<body><div>First <b>bold</b> part<br>second line</div><p>Next <a href='#'>para</a>graph</p></body>"
    texts = [ln.text for ln in parse_page(html).lines]
    assert texts == ["First bold part", "second line", "Next paragraph"]


def test_scripts_styles_forms_and_hidden_elements_are_skipped_but_their_tails_stay() -> None:
    html = (
        "<body><p>Before <script>var x = 'no';</script>after<style>p{}</style></p>"
        "<div hidden>hidden attribute</div><div style='display: none'>hidden style</div>"
        "<div aria-hidden='true'>aria hidden</div><p>Visible <button>Click</button>text</p></body>"
    )
    texts = [ln.text for ln in parse_page(html).lines]
    assert texts == ["Before after", "Visible text"]


def test_link_share_counts_characters_inside_links() -> None:
    html = "<body><p><a href='/a'>All link</a></p><p>Half <a href='/b'>link</a></p><p>No link here</p></body>"
    lines = parse_page(html).lines
    assert line_for(lines, "All link").link_share == 1.0
    assert 0.3 < line_for(lines, "Half").link_share < 0.7
    assert line_for(lines, "No link").link_share == 0.0


def test_furniture_and_content_containers_from_class_names() -> None:
    html = (
        "<body><div class='story-body'><p>Inside the story body.</p>"
        "<div class='share-tools'><p>Share this</p></div></div>"
        "<div class='related-articles'><p>Elsewhere on the site.</p></div>"
        "<aside><p>An aside.</p></aside>"
        "<div class='content-with-sidebar-wrapper'><p>Wrapper text.</p></div></body>"
    )
    lines = parse_page(html).lines
    assert line_for(lines, "Inside").content_share == 1.0
    assert line_for(lines, "Inside").boiler_share == 0.0
    assert line_for(lines, "Share this").boiler_share == 1.0  # furniture inside the body is still furniture
    assert line_for(lines, "Elsewhere").boiler_share == 1.0
    assert line_for(lines, "An aside").boiler_share == 1.0
    # a class that also names the content is a layout wrapper, not a sidebar
    assert line_for(lines, "Wrapper").boiler_share == 0.0


def test_furniture_marks_are_forgotten_when_they_wrap_most_of_the_prose() -> None:
    html = "<body><div class='ad-wrapper'>" + paragraphs(PROSE) + "</div><p>Short footer line.</p></body>"
    lines = parse_page(html).lines
    assert all(ln.boiler_share == 0.0 for ln in lines)


def test_captions_and_headline_are_marked() -> None:
    html = article(
        "<h1>Ferry returns</h1>" + paragraphs(PROSE[:1]) + "<figure><figcaption>The ferry.</figcaption></figure>"
    )
    lines = parse_page(html).lines
    assert line_for(lines, "Ferry returns").tag == "h1"
    assert line_for(lines, "The ferry.").caption


def test_deeply_nested_and_broken_markup_does_not_fail() -> None:
    deep = "<div>" * 5000 + "Deep text." + "</div>" * 5000
    assert [ln.text for ln in parse_page(f"<body>{deep}</body>").lines] == ["Deep text."]
    broken = "<body><p>Unclosed <b>bold <i>italic</p><td>cell</div></span>end"
    assert "Unclosed bold italic" in [ln.text for ln in parse_page(broken).lines]
    assert parse_page("").lines == []
    assert parse_page("   ").lines == []


# ---------------------------------------------------------------- metadata


def test_metadata_from_meta_tags() -> None:
    head = (
        "<title>Ferry returns | Example News</title>"
        "<meta property='og:title' content='Ferry returns to the island'>"
        "<meta property='article:published_time' content='2024-03-18T09:30:00Z'>"
        "<meta name='author' content='Ana Costa'>"
    )
    page = parse_page(f"<html lang='en-GB'><head>{head}</head><body><p>Text.</p></body></html>")
    assert page.title == "Ferry returns to the island"
    assert page.published == "2024-03-18"
    assert page.byline == "Ana Costa"


def test_metadata_from_json_ld_time_and_title() -> None:
    ld = {"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle", "headline": "Ferry back", "datePublished":
          "2023-11-02", "author": [{"name": "Ana Costa"}, {"name": "Rui Lopes"}]}]}  # fmt: skip
    html = (
        "<html><head><title>Fallback title</title></head><body>"
        f"<script type='application/ld+json'>{json.dumps(ld)}</script><p>Text.</p></body></html>"
    )
    page = parse_page(html)
    assert (page.title, page.published, page.byline) == ("Ferry back", "2023-11-02", "Ana Costa, Rui Lopes")
    only_time = parse_page(
        "<html><head><title> Plain  title </title></head><body><time datetime='2022-05-01'>May 1</time></body></html>"
    )
    assert (only_time.title, only_time.published) == ("Plain title", "2022-05-01")
    # an author given as a profile URL is not a byline
    url_author = parse_page("<head><meta name='author' content='https://example.com/ana'></head><body></body>")
    assert url_author.byline is None


# ---------------------------------------------------------------- clean_html on the evidence


def test_link_lists_and_furniture_are_removed_with_reasons() -> None:
    teasers = "".join(f"<li><a href='/{i}'>{t}</a></li>" for i, t in enumerate(TEASERS))
    html = article(
        paragraphs(PROSE[:2])
        + "<div class='social-share'><p>Share on Facebook or by email</p></div>"
        + paragraphs(PROSE[2:]),
        before=f"<ul>{teasers}</ul>",
        after=f"<div class='comments'><p>{PROSE[0].replace('harbour', 'airport')}</p></div>",
    )
    result = clean_html(html)
    for p in PROSE:
        assert p in result.text
    assert not any(t in result.text for t in TEASERS)
    assert "Share on Facebook" not in result.text
    assert "airport" not in result.text
    reasons = {seg.text: seg.reason for seg in result.removed}
    assert reasons[TEASERS[0]] == "link_list"
    assert reasons["Share on Facebook or by email"] in {"furniture_container", "share"}


def test_plain_list_items_inside_the_article_body_are_kept() -> None:
    items = ["June 9 - Lisbon, Coliseu", "June 12 - Porto, Casa da Musica", "June 15 - Faro, Teatro"]
    body = paragraphs(PROSE) + "<p>The tour dates:</p><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    result = clean_html(article(body))
    for item in items:
        assert item in result.text


def test_headline_and_captions_are_not_body_text() -> None:
    body = "<h1>Ferry line to reopen</h1>" + paragraphs(PROSE[:2])
    body += "<figure><img src='x.jpg'><figcaption>The new ferry in the yard. Photo: A. Costa</figcaption></figure>"
    body += paragraphs(PROSE[2:])
    result = clean_html(article(body, head="<meta property='og:title' content='Ferry line to reopen'>"))
    assert "Ferry line to reopen" not in result.text
    assert "new ferry in the yard" not in result.text
    assert result.title == "Ferry line to reopen"
    assert all(p in result.text for p in PROSE)


def test_trafilatura_extractor_is_selectable_and_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    html = article(paragraphs(PROSE))
    by_trafilatura = clean_html(html, "trafilatura")
    assert all(p in by_trafilatura.text for p in PROSE)

    calls: list[str] = []
    real = cleaner_module.clean_html_trafilatura

    def spy(text: str):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(cleaner_module, "clean_html_trafilatura", spy)
    clean_html(html)
    assert calls == []  # a normal article never pays for trafilatura
    # the whole story sits in a <figure> (a photo essay): the markup pass keeps no caption text, but the
    # page has plenty of plain words, so trafilatura gets a try
    odd = "<body><figure><img src='a.jpg'>" + "".join(f"<figcaption>{p}</figcaption>" for p in PROSE * 2)
    odd += "</figure></body>"
    clean_html(odd)
    assert len(calls) == 1


def test_prompt_in_a_furniture_box_inside_the_article_is_removed() -> None:
    prompt = "Sign up to our Energy Briefing newsletter. Enter your email address to get the week's top stories."
    body = paragraphs(PROSE[:2]) + f"<div class='newsletter-box'><p>{prompt}</p></div>" + paragraphs(PROSE[2:])
    result = clean_html(article(body))
    assert "newsletter" not in result.text
    assert all(p in result.text for p in PROSE)
    assert {seg.reason for seg in result.removed if "newsletter" in seg.text} == {"newsletter"}
