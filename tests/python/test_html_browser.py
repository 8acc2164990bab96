"""The report page in a real browser: headless Chromium (Debian's `chromium`,
installed by scripts/setup.sh) opens the helpdesk and ServiceNow pages and the
hostile one, driven over the DevTools protocol on a pipe (no port is opened).
It checks that the page makes no request beyond itself, logs no console error
and raises no exception (script or CSP violation), and that screenshots at 1280
and 390 pixels wide are not blank. Skipped only when chromium is absent.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import pytest

import duly

from test_html_report import EXAMPLES, HELPDESK_AS_OF, HOSTILE_POLICY, SERVICENOW_AS_OF, hostile_events, jsonl_events

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/setup.sh installs it)")

DEADLINE_SECONDS = 60


class Browser:
    """Chromium with --remote-debugging-pipe: commands on fd 3, replies and events on fd 4,
    each a JSON message ended by NUL."""

    def __init__(self, profile: pathlib.Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # The child gets the pipe ends as fds 3 and 4.
        def child() -> None:
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)  # out of the way of 3 and 4 first
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--hide-scrollbars",
             f"--user-data-dir={profile}", "about:blank"],
            # The child's 3 and 4 are set by child() and kept (close_fds runs after it).
            pass_fds=(3, 4), preexec_fn=child,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self._to_chrome)
        os.close(self._from_chrome)

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, session: bool = True, **params: object) -> dict:
        self._next += 1
        message: dict = {"id": self._next, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, seconds: float = DEADLINE_SECONDS) -> dict:
        deadline = time.monotonic() + seconds
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            e = self._read_message(deadline)
            self.events.append(e)
            if e.get("method") == method:
                return e

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", session=False, url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", session=False, targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def screenshot(self, width: int, height: int) -> bytes:
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=width < 600)
        time.sleep(0.2)
        return base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of (R, G, B[, A]) bytes of an 8-bit RGB(A), non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and color in (2, 6) and interlace == 0
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def not_blank(png: bytes, width: int) -> None:
    w, h, rows = png_pixels(png)
    assert w == width
    bpp = len(rows[0]) // w
    colors = set()
    inked = 0
    for row in rows[::4]:
        for x in range(0, w, 4):
            px = row[x * bpp:x * bpp + 3]
            colors.add(px)
            if px != b"\xff\xff\xff":
                inked += 1
    assert len(colors) > 20, "the screenshot has almost no colours: blank?"
    assert inked > (w // 4) * (h // 4) // 50, "less than 2% of the screenshot is not white: blank?"


def pages(tmp: pathlib.Path) -> dict[str, pathlib.Path]:
    out = {}
    policy = duly.load_policy(EXAMPLES / "helpdesk" / "policy.yaml")
    result = duly.evaluate(policy, jsonl_events(EXAMPLES / "helpdesk" / "events.jsonl"), HELPDESK_AS_OF)
    out["helpdesk"] = duly.html_report(result, tmp / "helpdesk.html", "priority")
    events = tmp / "incidents.jsonl"
    with open(events, "w", encoding="utf-8") as f:
        subprocess.run([sys.executable, str(EXAMPLES / "servicenow" / "convert.py"),
                str(EXAMPLES / "servicenow" / "data" / "servicenow_incidents_sample.csv")], stdout=f, check=True)
    sn = duly.evaluate(duly.load_policy(EXAMPLES / "servicenow" / "policy.yaml"), jsonl_events(events),
                       SERVICENOW_AS_OF)
    out["servicenow"] = duly.html_report(sn, tmp / "servicenow.html", "priority")
    hostile = duly.evaluate(duly.Policy.from_yaml(HOSTILE_POLICY), hostile_events(), "2026-01-10T00:00:00Z")
    out["hostile"] = duly.html_report(hostile, tmp / "hostile.html", "team")
    return out


@pytest.fixture(scope="module")
def browser_pages():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="duly-browser-"))
    made = pages(tmp)
    browser = Browser(tmp / "profile")
    try:
        yield browser, made
    finally:
        browser.close()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("name", ["helpdesk", "servicenow", "hostile"])
def test_page_in_chromium(browser_pages, name: str) -> None:
    browser, made = browser_pages
    url = made[name].resolve().as_uri()
    browser.open(url)
    for width in (1280, 390):
        not_blank(browser.screenshot(width, 900), width)
        # No horizontal scrolling of the page itself on a phone (wide tables and charts scroll in their boxes).
        scroll = browser.send("Runtime.evaluate", expression="document.documentElement.scrollWidth")
        assert scroll["result"]["value"] <= width + 1
    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert requests and all(r == url for r in requests), requests
    errors = [e for e in browser.events
              if e.get("method") in ("Runtime.exceptionThrown",)
              or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") in ("error", "assert"))
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error")]
    assert errors == []
    # The page has no script of its own: the only scripting is this test's evaluate calls.
    count = browser.send("Runtime.evaluate", expression="document.scripts.length")
    assert count["result"]["value"] == 0
