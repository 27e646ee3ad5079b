"""Take docs/browser.png, docs/browser-entity.png and docs/view-map.png: the collection browser (GET /),
its entity filter with the timeline chart, and a document's view with its places on the world map.

Starts `newsproc local --in-process` on free loopback ports (scripts.swagger_screenshot's Stack), sends
the sample articles below (`POST /documents?sync=true`, JSON with title and published date) and one PDF
into the raw bucket (stored FAILED), then drives headless Debian chromium through the DevTools protocol
(scripts.swagger_screenshot's Chromium). Every page is checked as it is shot: no Content-Security-Policy
violation (a listener installed before the page's own code; the page runs none), the style sheet applied
(its hash is the policy's only style source), the rows and the chart there. tests/e2e/test_browser_chromium.py
uses the same functions against the e2e stack.

    .venv/bin/python -m scripts.browser_screenshot [--out-dir docs] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from scripts.swagger_screenshot import Chromium, Stack
from scripts.swagger_screenshot import _wait_for as wait_for

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 1200
MAX_PNG_BYTES = 300_000
ENTITY = ("Carlos Moedas", "PERSON")
# The samples' dates, given to the timeline: its default window ends today, and the samples are fixed.
WINDOW = {"from": "2026-11-20", "to": "2026-12-06"}

# Short made-up articles: one person over two weeks (the timeline), places on three continents (the map),
# and a title with markup and quotes (shown escaped).
SAMPLES: list[tuple[str, str, str]] = [
    ("Lisbon council approves new harbour bridge", "2026-11-23",
     "Lisbon mayor Carlos Moedas said on Monday that the council approved the harbour bridge. "
     "The European Investment Bank will lend 600 million euros. Work starts in Lisbon next spring."),
    ("Moedas meets Porto mayor on rail link", "2026-11-24",
     "Carlos Moedas travelled to Porto to meet the city's mayor about a faster rail link between Lisbon "
     "and Porto. Engineers from Madrid presented the timetable."),
    ("Bridge financing questioned in Brussels", "2026-11-26",
     "Members of the European Parliament in Brussels asked how the Lisbon bridge would be financed. "
     "Carlos Moedas answered in a letter to the committee."),
    ('Council says "no" to <script> tags & other tricks', "2026-11-26",
     "A Lisbon council clerk said the city's website rejects markup in titles. Carlos Moedas thanked "
     "the team. The note was copied to the office in Coimbra."),
    ("Lisbon and Luanda sign port agreement", "2026-11-30",
     "Home | World | Business | Sport\nAdvertisement\nCarlos Moedas signed a port agreement in Luanda with "
     "Angolan officials on Monday. Ships from Luanda will dock in Lisbon from March, and the two ports will "
     "share customs data.\nRead more: Lisbon bridge approved\nSign up to our newsletter\nShare on Facebook\n"
     "We use cookies to improve your experience. Accept all cookies\n(c) 2026 Lisbon Daily. All rights reserved."),
    ("Tokyo delegation visits the Tagus waterfront", "2026-12-01",
     "A delegation from Tokyo toured the Lisbon waterfront with Carlos Moedas on Tuesday. "
     "Japanese engineers offered advice on earthquake-proof foundations."),
    ("Moedas presents the bridge to residents", "2026-12-03",
     "Carlos Moedas presented the bridge design to residents of Almada and Lisbon on Thursday. "
     "Residents asked about noise and tolls."),
    ("Wind farm powers up off Scotland", "2026-12-02",
     "An offshore wind farm started delivering power off the coast of Scotland on Wednesday, "
     "operators in Edinburgh said."),
]  # fmt: skip

# Installed before any page code runs: the page reports each violation of its policy as an event.
_RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample}));
"""
FACTS = """(() => ({
  violations: window.__violations || [],
  title: document.title,
  rows: [...document.querySelectorAll('#documents tbody tr')].map(tr => tr.dataset.documentId),
  chart: !!document.querySelector('#timeline-chart'),
  periods: document.querySelectorAll('#timeline-chart g.period').length,
  map: !!document.querySelector('#places svg'),
  entityLinks: [...document.querySelectorAll('#entity-table a')].map(a => a.getAttribute('href')),
  removed: !!document.querySelector('details#removed'),
  styled: getComputedStyle(document.body).fontFamily.includes('system-ui'),
  height: Math.ceil(document.documentElement.scrollHeight),
}))()"""


def _request(url: str, data: bytes | None = None, content_type: str = "application/json") -> tuple[int, Any]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET",
                                     headers={"content-type": content_type})  # fmt: skip
    with urllib.request.urlopen(request, timeout=120) as answer:
        body = answer.read()
        return answer.status, json.loads(body) if "json" in answer.headers.get("content-type", "") else body


def seed(config: dict[str, Any]) -> dict[str, str]:
    """Process the samples through the API (sync) and drop a PDF into the raw bucket; {title: document_id}."""
    import boto3

    ids = {}
    for title, published, text in SAMPLES:
        body = json.dumps({"text": text, "title": title, "published": published}).encode()
        status, result = _request(f"{config['api_url']}/documents?sync=true", body)
        if status != 200 or result["status"] != "PROCESSED":
            raise RuntimeError(f"{title!r} not processed: {status} {result}")
        ids[title] = result["document_id"]
    s3 = boto3.client("s3", endpoint_url=config["endpoint_url"], region_name=config["region"],
                      aws_access_key_id="testing", aws_secret_access_key="testing")  # moto takes any  # fmt: skip
    s3.put_object(Bucket=config["raw_bucket"], Key="letters/scanned-letter.pdf", Body=b"%PDF-1.4 a scan")

    def listed() -> bool:  # the poller has stored the PDF (FAILED)
        _, page = _request(f"{config['api_url']}/documents?limit=100")
        return any(d["key"] == "letters/scanned-letter.pdf" for d in page["documents"])

    wait_for("the PDF to be stored", listed, 120, interval=0.5)
    return ids


def open_page(browser: Chromium, url: str) -> dict[str, Any]:
    """Navigate, wait for the load, and return what the page shows (FACTS)."""
    browser.send("Page.navigate", url=url)
    wait_for(f"{url} to load", lambda: browser.js("document.readyState === 'complete' && location.href") == url, 60)
    return browser.js(FACTS)


def start_browser(chromium_path: str, workdir: Path) -> Chromium:
    browser = Chromium(chromium_path, workdir)
    browser.start()
    browser.send("Page.enable")
    browser.send("Runtime.enable")
    browser.send("Page.addScriptToEvaluateOnNewDocument", source=_RECORD_VIOLATIONS)
    browser.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=900, deviceScaleFactor=1, mobile=False)
    return browser


def filter_by_form(browser: Chromium, fields: dict[str, str]) -> dict[str, Any]:
    """Fill the page's form as a user would ({control id: value}), submit it, and return the new page's
    facts (FACTS). DevTools sets the values: the page's own policy refuses every script."""
    before = browser.js("location.href")
    browser.js(f"""(() => {{
      for (const [id, value] of Object.entries({json.dumps(fields)})) document.getElementById(id).value = value;
      document.querySelector('form[role=search] button[type=submit]').click();
    }})()""")  # fmt: skip
    loaded = f"document.readyState === 'complete' && location.href !== {json.dumps(before)}"
    wait_for("the filtered page", lambda: browser.js(loaded), 60)
    return browser.js(FACTS)


def screenshot(browser: Chromium, out: Path, height: int, max_height: int = 1500) -> int:
    """The top of the page (at most `max_height` px) as a PNG under MAX_PNG_BYTES; its size in bytes."""
    clip_height = min(height, max_height)
    while True:
        clip = {"x": 0, "y": 0, "width": WIDTH, "height": clip_height, "scale": 1}
        shot = browser.send("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)
        data = base64.b64decode(shot["data"])
        if len(data) <= MAX_PNG_BYTES or clip_height <= 400:
            break
        clip_height = int(clip_height * 0.8)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return len(data)


def check(facts: dict[str, Any], what: str) -> None:
    if facts["violations"]:
        raise RuntimeError(f"{what}: Content-Security-Policy violations {facts['violations']}")
    if not facts["styled"]:
        raise RuntimeError(f"{what}: the style sheet was not applied")


def take(out_dir: Path, chromium_path: str) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="browser-shot-"))
    stack, browser = Stack(workdir), None
    summary: dict[str, Any] = {}
    try:
        config = stack.start()
        api = config["api_url"]
        ids = seed(config)
        browser = start_browser(chromium_path, workdir)

        facts = open_page(browser, f"{api}/?limit=10")
        check(facts, "GET /")
        summary["browser.png"] = (len(facts["rows"]), screenshot(browser, out_dir / "browser.png", facts["height"]))

        name, label = ENTITY
        facts = open_page(browser, f"{api}/?" + urlencode({"entity": name, "label": label, **WINDOW}))
        check(facts, "GET /?entity=")
        if not facts["chart"]:
            raise RuntimeError("the entity page has no timeline chart")
        shot = screenshot(browser, out_dir / "browser-entity.png", facts["height"])
        summary["browser-entity.png"] = (len(facts["rows"]), facts["periods"], shot)

        view = ids["Lisbon and Luanda sign port agreement"]
        facts = open_page(browser, f"{api}/documents/{view}/view")
        check(facts, "the view")
        browser.js("document.querySelector('details#removed')?.setAttribute('open', '')")  # the audit, unfolded
        height = browser.js("document.documentElement.scrollHeight")
        summary["view-map.png"] = (facts["map"], screenshot(browser, out_dir / "view-map.png", height, 1200))
        return summary
    finally:
        if browser is not None:
            browser.stop()
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    started = time.monotonic()
    summary = take(args.out_dir, args.chromium)
    rows, size = summary["browser.png"]
    print(f"{args.out_dir / 'browser.png'}: {size} bytes, {rows} rows")
    rows, periods, size = summary["browser-entity.png"]
    print(f"{args.out_dir / 'browser-entity.png'}: {size} bytes, {rows} rows, {periods} periods in the chart")
    placed, size = summary["view-map.png"]
    print(f"{args.out_dir / 'view-map.png'}: {size} bytes, world map {'shown' if placed else 'absent'}")
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
