"""Take docs/swagger-submit.png: Swagger UI (GET /swagger) sending an article to `POST /documents?sync=true`.

Starts `newsproc local --in-process` on free loopback ports, drives headless Debian chromium through the
Chrome DevTools Protocol (websocket-client), expands `POST /documents`, clicks "Try it out", fills the
text/plain body with a short article, sets `sync=true`, clicks "Execute", waits for the 200 response and
captures the operation's block as a PNG. The stack and chromium are stopped whatever happens.

Swagger UI works offline: Powertools' `enable_swagger` without `swagger_base_url` inlines its bundled
swagger-ui JS and CSS into the /swagger page (nothing is fetched from a CDN); the script checks that.

    .venv/bin/python -m scripts.swagger_screenshot [--out docs/swagger-submit.png] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket  # websocket-client

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (
    "Kenyan President William Ruto met South Africa's Cyril Ramaphosa in Pretoria on Tuesday. "
    "The two leaders discussed trade with the African Union and a new rail link to Nairobi, "
    "officials at the Department of International Relations said."
)
WIDTH, HEIGHT = 1280, 1600
BODY_BOX_HEIGHT = 760  # px: the response body box, scrolled to "entities"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(what: str, check: Any, timeout: float, interval: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)


class Stack:
    """`newsproc local --in-process` as a subprocess, as tests/e2e/conftest.py starts it."""

    def __init__(self, workdir: Path) -> None:
        self.config_path = workdir / "local.json"
        self.log_path = workdir / "local.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180) -> dict[str, Any]:
        env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
        command = [sys.executable, "-m", "newsproc.cli", "local", "--in-process", "--port", str(_free_port()),
                   "--api-port", str(_free_port()), "--config", str(self.config_path)]  # fmt: skip
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self.config_path.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"local stack did not start:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        return json.loads(self.config_path.read_text())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # Ctrl-C: a clean stop
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Chromium:
    """Headless chromium with a DevTools port (read from DevToolsActivePort) and one page session."""

    def __init__(self, executable: str, workdir: Path) -> None:
        self.executable = executable
        self.profile = workdir / "chromium-profile"
        self.process: subprocess.Popen[bytes] | None = None
        self.ws: websocket.WebSocket | None = None
        self._id = 0

    def start(self, timeout: float = 60) -> None:
        self.profile.mkdir(parents=True, exist_ok=True)
        command = [self.executable, "--headless", "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
                   "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                   "--no-default-browser-check", "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}",
                   "about:blank"]  # fmt: skip
        # A session of its own: its renderer and GPU helpers are stopped with it, by its process group.
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)  # fmt: skip
        active = self.profile / "DevToolsActivePort"

        def port() -> int | None:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            lines = active.read_text().splitlines() if active.exists() else []
            return int(lines[0]) if lines and lines[0].strip() else None

        devtools = _wait_for("chromium's DevToolsActivePort", port, timeout)

        def page_target() -> dict[str, Any] | None:
            with urllib.request.urlopen(f"http://127.0.0.1:{devtools}/json/list", timeout=5) as answer:
                targets = json.load(answer)
            return next((t for t in targets if t.get("type") == "page"), None)

        target = _wait_for("a page target", page_target, timeout)
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        assert self.ws is not None
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:  # events (no id) are not needed here
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"JS error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def stop(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):  # best effort at teardown
                self.ws.close()
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own process group (start_new_session)
            self.process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# Swagger UI is React: a value set from outside must go through the prototype's setter and an event.
_SET_VALUE = """
function setValue(el, value) {
  const proto = el.tagName === 'SELECT' ? HTMLSelectElement.prototype
              : el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
  el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
}
"""
OP = "document.querySelector('#operations-documents-submitDocument')"


def check_offline(page_html: str) -> None:
    """The /swagger page must not load anything from another host (this machine has no internet)."""
    external = re.findall(r"<(?:script|link)[^>]+(?:src|href)=['\"](https?://[^'\"]+)", page_html)
    if external:
        raise RuntimeError(f"/swagger loads assets from outside, which cannot render offline: {external}")


def take(out: Path, chromium_path: str) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="swagger-shot-"))
    stack, browser = Stack(workdir), Chromium(chromium_path, workdir)
    try:
        config = stack.start()
        api = config["api_url"]
        with urllib.request.urlopen(f"{api}/swagger", timeout=30) as answer:
            check_offline(answer.read().decode())
        browser.start()
        browser.send("Page.enable")
        browser.send("Runtime.enable")
        browser.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1,
                     mobile=False)  # fmt: skip
        browser.send("Page.navigate", url=f"{api}/swagger")
        _wait_for("Swagger UI to render", lambda: browser.js(f"!!{OP}"), 60)

        # Expand POST /documents (a click during the first renders can be lost: click until it is open),
        # then "Try it out".
        def expanded() -> bool:
            if browser.js(f"!!{OP}.querySelector('.try-out__btn')"):
                return True
            browser.js(f"{OP}.querySelector('.opblock-summary-control[aria-expanded=\"false\"]')?.click()")
            return False

        _wait_for("the operation to open", expanded, 30, interval=1.5)
        browser.js(f"{OP}.querySelector('.try-out__btn').click()")
        _wait_for("the editable body", lambda: browser.js(f"!!{OP}.querySelector('textarea.body-param__text')"), 20)

        # The body's content type: text/plain (the first, default one; set anyway), then the article.
        browser.js(_SET_VALUE + f"""
          const select = {OP}.querySelector('.opblock-section-request-body select');
          if (select && [...select.options].some(o => o.value === 'text/plain')) setValue(select, 'text/plain');
        """)  # fmt: skip
        time.sleep(0.5)
        browser.js(_SET_VALUE + f"setValue({OP}.querySelector('textarea.body-param__text'), {json.dumps(ARTICLE)});")
        # ?sync=true: a boolean query parameter is a <select> of "--", "true", "false".
        browser.js(_SET_VALUE + f"""
          const row = {OP}.querySelector('tr[data-param-name="sync"]');
          setValue(row.querySelector('select'), 'true');
        """)  # fmt: skip
        time.sleep(0.5)
        state = browser.js(f"""({{
          body: {OP}.querySelector('textarea.body-param__text').value,
          sync: {OP}.querySelector('tr[data-param-name="sync"] select').value,
        }})""")  # fmt: skip
        if state["body"] != ARTICLE or state["sync"] != "true":
            raise RuntimeError(f"the form did not take the values: {state}")

        browser.js(f"{OP}.querySelector('button.execute').click()")
        status = _wait_for(
            "the response",
            lambda: browser.js(f"""(() => {{
              const cell = {OP}.querySelector('.live-responses-table .response .response-col_status');
              return cell ? cell.textContent.trim() : null;
            }})()"""),
            180,
        )  # fmt: skip
        body = browser.js(f"({OP}.querySelector('.live-responses-table .response-col_description pre')"
                          "|| {textContent: ''}).textContent")  # fmt: skip
        if not status.startswith("200"):
            raise RuntimeError(f"Swagger UI got {status}: {body[:2000]}")
        result = json.loads(body)
        time.sleep(1.0)  # the highlighter settles

        # The response body box scrolls (mentions come before entities): make it taller and scroll it
        # to "entities", so the picture shows what was found.
        scrolled = browser.js(f"""(() => {{
          const pre = {OP}.querySelector('.live-responses-table .response-col_description pre');
          let box = pre;
          while (box && box !== {OP} && !(box.scrollHeight > box.clientHeight + 2)) box = box.parentElement;
          if (!box || box === {OP}) return 'no scrolling box';
          box.style.maxHeight = '{BODY_BOX_HEIGHT}px';
          const key = [...pre.querySelectorAll('span')].find(s => s.textContent === '"entities"');
          if (!key) return 'no "entities" key';
          box.scrollTop += key.getBoundingClientRect().top - box.getBoundingClientRect().top - 40;
          return 'scrolled ' + box.tagName + '.' + box.className + ' to ' + box.scrollTop;
        }})()""")  # fmt: skip
        time.sleep(0.5)

        # Capture the operation's block, from its summary down to the end of the live response (the
        # documented responses below it are left out).
        rect = browser.js(f"""(() => {{
          const top = {OP}.getBoundingClientRect();
          const end = {OP}.querySelector('.live-responses-table').getBoundingClientRect();
          return {{x: top.left + window.scrollX, y: top.top + window.scrollY, width: top.width,
                   height: end.bottom - top.top}};
        }})()""")  # fmt: skip
        clip = {"x": max(rect["x"] - 10, 0), "y": max(rect["y"] - 10, 0), "width": rect["width"] + 20,
                "height": min(rect["height"] + 18, 4000), "scale": 1}  # fmt: skip
        shot = browser.send("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(shot["data"]))
        return {
            "status": status,
            "entities": result.get("entities"),
            "bytes": out.stat().st_size,
            "clip": clip,
            "scrolled": scrolled,
        }
    finally:
        browser.stop()
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "swagger-submit.png")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    summary = take(args.out, args.chromium)
    entities = summary["entities"] or []
    print(
        f"{args.out}: {summary['bytes']} bytes, response {summary['status']}, {len(entities)} entities "
        f"({summary['scrolled']}; clip {summary['clip']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
