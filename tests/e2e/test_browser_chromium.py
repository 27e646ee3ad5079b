"""The collection browser (GET /) and the document view in headless chromium, through `newsproc local`:
no Content-Security-Policy violation, the style sheet applied, the list, the entity filter submitted from
the page's form with its timeline chart, the view's links back to the browser, its removed segments and
the world map of its places. The page drivers are scripts/browser_screenshot.py's, which makes
the docs/ screenshots the same way; here they go to a temporary directory."""

from __future__ import annotations

import os
import shutil
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed: apt-get install chromium")
    return found


def test_the_browser_and_the_view_in_headless_chromium(local_stack: dict[str, Any], chromium: str, tmp_path) -> None:
    from scripts.browser_screenshot import (
        ENTITY,
        FACTS,
        MAX_PNG_BYTES,
        WINDOW,
        check,
        filter_by_form,
        open_page,
        screenshot,
        seed,
        start_browser,
        wait_for,
    )

    ids = seed(local_stack)
    api = local_stack["api_url"]
    browser = start_browser(chromium, tmp_path)
    try:
        listing = open_page(browser, f"{api}/?limit=100")
        check(listing, "GET /")  # no policy violation, the hashed style sheet applied
        assert set(ids.values()) <= set(listing["rows"])
        assert browser.js("document.scripts.length") == 0
        titles = browser.js("[...document.querySelectorAll('#documents tbody th a')].map(a => a.textContent)")
        assert 'Council says "no" to <script> tags & other tricks' in titles  # shown as text, not run
        failed = browser.js("[...document.querySelectorAll('#documents tbody tr')].filter(tr => "
                            "tr.textContent.includes('scanned-letter.pdf')).map(tr => tr.textContent)")  # fmt: skip
        assert failed and "unsupported_media_type" in failed[0] and "FAILED" in failed[0]
        assert screenshot(browser, tmp_path / "browser.png", listing["height"]) <= MAX_PNG_BYTES

        # The filter, from the form: another form of the name, the samples' dates for the timeline.
        name, label = ENTITY
        filtered = filter_by_form(browser, {"entity": f"Mr {name}", "label": label, **WINDOW})
        check(filtered, "GET /?entity=")
        query = parse_qs(urlsplit(browser.js("location.href")).query)
        assert query["entity"] == [f"Mr {name}"] and query["label"] == [label] and query["from"] == [WINDOW["from"]]
        mentioning = {i for title, i in ids.items() if "Scotland" not in title}
        assert mentioning <= set(filtered["rows"]) and ids["Wind farm powers up off Scotland"] not in filtered["rows"]
        assert filtered["chart"] and filtered["periods"] >= 6  # 2026-11-23 .. 2026-12-03 by day, gaps drawn empty
        documents = browser.js("[...document.querySelectorAll('#timeline-table tbody td:nth-child(2)')]"
                               ".reduce((n, td) => n + Number(td.textContent), 0)")  # fmt: skip
        assert documents >= len(mentioning)
        assert screenshot(browser, tmp_path / "browser-entity.png", filtered["height"]) <= MAX_PNG_BYTES

        view = open_page(browser, f"{api}/documents/{ids['Lisbon and Luanda sign port agreement']}/view")
        check(view, "the view")
        assert "../../?" + urlencode({"entity": name, "label": label}) in view["entityLinks"]
        assert view["removed"], "the boilerplate the cleaner removed is listed"
        assert view["map"], "Luanda and Lisbon are linked places: the view draws them on the world map"
        assert screenshot(browser, tmp_path / "view-map.png", view["height"], 1100) <= MAX_PNG_BYTES
        # An entity's link leads back to the browser, filtered by it.
        browser.js("[...document.querySelectorAll('#entity-table a')].find(a => a.textContent === 'Carlos Moedas')"
                   ".click()")  # fmt: skip
        wait_for(
            "the browser", lambda: browser.js("location.pathname === '/' && document.readyState === 'complete'"), 60
        )
        back = parse_qs(urlsplit(browser.js("location.href")).query)
        assert back == {"entity": [name], "label": [label]}
        check(browser.js(FACTS), "GET / from the view")
    finally:
        browser.stop()
