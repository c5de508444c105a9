"""The query page in a real headless Chromium, driven through chromedriver's WebDriver API.

It loads the page from a running ``lexgraph serve``, clicks a named query, runs it and reads the
results table, and takes a screenshot (``query-page.png`` in the test's temporary folder).
Needs Debian's ``chromium`` and ``chromium-driver``; skipped, saying so, without them.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_serve import EXAMPLE, Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="needs chromium and chromedriver (Debian: apt-get install "
    "chromium chromium-driver)")]


class WebDriver:
    """Just enough of the W3C WebDriver protocol, over urllib."""

    def __init__(self, url: str, profile: Path) -> None:
        self.url = url
        arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                     f"--user-data-dir={profile}", "--window-size=1400,1000"]
        session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": arguments}}}})
        self.session = f"/session/{session['sessionId']}"

    def call(self, method: str, path: str, payload: dict | None = None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as error:
            raise AssertionError(f"WebDriver {method} {path}: {error.read()[:500]!r}") from None

    def go(self, url: str) -> None:
        self.call("POST", f"{self.session}/url", {"url": url})

    def find(self, css: str) -> str:
        return self.call("POST", f"{self.session}/element",
                         {"using": "css selector", "value": css})[ELEMENT]

    def click(self, css: str) -> None:
        self.call("POST", f"{self.session}/element/{self.find(css)}/click", {})

    def type(self, css: str, text: str) -> None:
        element = self.find(css)
        self.call("POST", f"{self.session}/element/{element}/clear", {})
        self.call("POST", f"{self.session}/element/{element}/value", {"text": text})

    def run(self, script: str, *args):
        return self.call("POST", f"{self.session}/execute/sync", {"script": script, "args": args})

    def wait_for(self, script: str, tries: int = 200):
        """Poll a JavaScript condition, a bounded number of times."""
        for _ in range(tries):
            value = self.run(script)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"never true: {script}")

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("GET", f"{self.session}/screenshot")))

    def quit(self) -> None:
        self.call("DELETE", self.session)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    port = _free_port()
    driver = subprocess.Popen([DRIVER, f"--port={port}", "--allowed-ips=127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    client = None
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(url + "/status", timeout=5) as response:
                    if json.loads(response.read())["value"]["ready"]:
                        break
            except OSError:
                time.sleep(0.1)
        client = WebDriver(url, tmp_path_factory.mktemp("chromium-profile"))
        yield client
    finally:
        if client is not None:
            client.quit()
        driver.terminate()
        try:
            driver.wait(timeout=15)
        except subprocess.TimeoutExpired:
            driver.kill()


@pytest.fixture(scope="module")
def page_server():
    running = Server(str(EXAMPLE), "--workers", "1")
    try:
        yield running
    finally:
        running.stop()


TABLE = """return Array.from(document.querySelectorAll('#result-table tbody tr'))
             .map(tr => Array.from(tr.cells).map(td => td.textContent));"""
HEADERS = ("return Array.from(document.querySelectorAll('#result-table th'))"
           ".map(th => th.textContent);")


def test_named_query_runs_from_the_page(browser, page_server, tmp_path):
    browser.go(page_server.url + "/")
    browser.wait_for("return document.body.dataset.ready === 'true';")
    assert "triples" in browser.run("return document.getElementById('dataset').textContent;")
    names = browser.run("return Array.from(document.querySelectorAll('.example strong'))"
                        ".map(e => e.textContent);")
    assert {"cited-articles", "citation-chain", "footnotes"} <= set(names)

    browser.click('.example[data-name="cited-articles"]')
    assert "?instrument" in browser.run("return document.getElementById('query').value;")
    assert browser.run("return document.getElementById('param-instrument').value;") == \
        "<https://w3id.org/lexgraph/akn/un/act/untoc-trafficking-protocol>"
    browser.click("#run")
    browser.wait_for("return document.querySelectorAll('#result-table tbody tr').length > 0;")
    assert browser.run(HEADERS) == ["instrument", "article", "number", "heading", "citations",
                                    "resolutions"]
    rows = browser.run(TABLE)
    numbers = [row[2] for row in rows]
    assert "6" in numbers and "9" in numbers
    assert all(row[0] == "act:untoc-trafficking-protocol" for row in rows)
    assert "rows in" in browser.run("return document.getElementById('status').textContent;")
    browser.screenshot(tmp_path / "query-page.png")
    assert (tmp_path / "query-page.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_error_and_explore(browser, page_server):
    browser.go(page_server.url + "/")
    browser.wait_for("return document.body.dataset.ready === 'true';")
    browser.type("#query", "SELECT ?x WHERE { ?x")
    browser.click("#run")
    message = browser.wait_for("const e = document.getElementById('error');"
                               "return e.hidden ? '' : e.textContent;")
    assert message.startswith("400") and "SPARQL syntax error" in message

    browser.click('.example[data-name="footnotes"]')
    browser.click("#run")
    browser.wait_for("return document.querySelectorAll('#result-table tbody tr').length > 0;")
    # an IRI in the table is a link that explores that node
    browser.click("#result-table tbody tr td a")
    browser.wait_for("return document.querySelector('#result-table th') &&"
                     " document.querySelector('#result-table th').textContent === 'subject';")
    assert len(browser.run(TABLE)) > 3


def test_named_query_on_a_corpus_store_reads_its_statistics(browser, tmp_path):
    """The page asks for a named query left as written by name, so a corpus store answers it
    from the counts its build keeps; an edited query goes to /sparql as text."""
    from test_statistics import _tamper, built

    _, location = built(tmp_path)
    _tamper(location)  # lex:implements now counts 999 citations in the statistics only
    server = Server(str(location), "--workers", "1")
    try:
        browser.go(server.url + "/")
        browser.wait_for("return document.body.dataset.ready === 'true';")
        browser.click('.example[data-name="relation-counts"]')
        browser.click("#run")
        browser.wait_for("return document.querySelectorAll('#result-table tbody tr').length > 0;")
        counts = {row[0]: row[1] for row in browser.run(TABLE)}
        assert counts["lex:implements"] == "999"

        # edited, the query goes as text and is counted from the graph
        browser.run("const q = document.getElementById('query'); q.value += '\\n# edited';"
                    "q.dispatchEvent(new Event('input'));")
        browser.click("#run")
        browser.wait_for("return document.querySelectorAll('#result-table tbody tr').length > 0;")
        counts = {row[0]: row[1] for row in browser.run(TABLE)}
        assert counts["lex:implements"] not in ("999", None)
    finally:
        server.stop()
