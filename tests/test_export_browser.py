"""The exported HTML viewer in real headless Chromium, driven over the DevTools protocol.

The page must open from a file with no network, log no console error, draw the expected number of
nodes, show the quoted words when an edge is clicked and the title when a node is clicked, filter
by relation and kind, and find a node by symbol. A screenshot is taken, checked for the colours
of the drawing, and kept (``LEXGRAPH_SCREENSHOTS=folder`` keeps a copy) for a person to look at.

The DevTools client below is small and self-contained: a WebSocket (RFC 6455) client on a plain
socket, and a JSON-RPC loop that records console messages and exceptions as they arrive.
Skipped when Chromium is not installed (Debian: ``apt install chromium``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path
from typing import Any

import pytest

from graph_builder.api import build_graph
from graph_builder.export import plain_graph, to_html, to_networkx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "A-RES-58-137.txt"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    explicit = os.environ.get("LEXGRAPH_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


# ------------------------------------------------------------------------------------------------
# A minimal WebSocket client and DevTools session
# ------------------------------------------------------------------------------------------------

class WebSocket:
    """Just enough RFC 6455 for the DevTools protocol: text frames, masking, fragments, ping."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        assert url.startswith("ws://"), url
        host_port, _, path = url[len("ws://"):].partition("/")
        host, _, port = host_port.partition(":")
        self.sock = socket.create_connection((host, int(port or 80)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the browser closed the connection during the handshake")
            response += chunk
        head, _, self.buffer = response.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.decode(errors="replace"))

    def _read(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.sock.recv(max(65536, count - len(self.buffer)))
            if not chunk:
                raise ConnectionError("the browser closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send(self, text: str) -> None:
        payload = text.encode()
        header = bytearray([0x81])  # FIN + text frame
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        mask = os.urandom(4)
        header += mask
        self.sock.sendall(bytes(header) + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self) -> str:
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._read(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._read(8))
            mask = self._read(4) if second & 0x80 else None
            payload = self._read(length)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ConnectionError("the browser closed the WebSocket")
            if opcode == 0x9:  # ping: answer with a pong carrying the same data
                self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
                continue
            if opcode in (0x1, 0x2, 0x0):
                message += payload
                if first & 0x80:
                    return message.decode()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.sendall(bytes([0x88, 0x80]) + b"\0\0\0\0")
        self.sock.close()


class Browser:
    """Headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, program: str, width: int = 1280, height: int = 800) -> None:
        self.profile = tempfile.mkdtemp(prefix="lexgraph-chromium-")
        self.process = subprocess.Popen(
            [program, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.events: list[dict[str, Any]] = []
        self.next_id = 0
        try:
            port = self._port()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                targets = json.load(r)
            page = next(t for t in targets if t.get("type") == "page")
            self.socket = WebSocket(page["webSocketDebuggerUrl"])
            for domain in ("Page", "Runtime", "Log"):
                self.call(f"{domain}.enable")
            self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                      deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.close()
            raise

    def _port(self) -> int:
        marker = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Chromium exited with code {self.process.returncode}")
            if marker.is_file():
                lines = marker.read_text().split()
                if lines:
                    return int(lines[0])
            time.sleep(0.05)
        raise TimeoutError("Chromium did not open its DevTools port")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        number = self.next_id
        self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.receive())
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str, ready: str = "window.lexgraph && window.lexgraph.ready",
             timeout: float = 60.0) -> None:
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(f"Boolean({ready})"):
                return
            time.sleep(0.05)
        raise TimeoutError(f"{url} did not become ready")

    def click(self, x: float, y: float) -> None:
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1 if kind != "mouseMoved" else 0)

    def type_text(self, text: str) -> None:
        self.call("Input.insertText", text=text)

    def key(self, key: str, code: str, key_code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                      windowsVirtualKeyCode=key_code)

    def screenshot(self) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and failed loads seen so far."""
        found = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append("exception: " + json.dumps(params["exceptionDetails"])[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error",
                                                                                "warning",
                                                                                "assert"):
                found.append(f"console.{params['type']}: " + json.dumps(params.get("args"))[:500])
            elif method == "Log.entryAdded" and params["entry"].get("level") in ("error",
                                                                                "warning"):
                found.append("log: " + params["entry"].get("text", ""))
        return found

    def close(self) -> None:
        sock = getattr(self, "socket", None)
        if sock is not None:
            sock.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# Reading a PNG screenshot (8-bit RGB or RGBA, not interlaced: what Chromium writes)
# ------------------------------------------------------------------------------------------------

def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB bytes of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks, header = 8, [], None
    while position < len(data):
        (length,) = struct.unpack("!I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack("!IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous, offset = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc
                                      else corner)) & 0xFF
        previous = line
        rgb = line if channels == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3)
        rows.append(bytes(rgb))
    return width, height, rows


def colour_count(rows: list[bytes], colour: str, tolerance: int = 18) -> int:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    count = 0
    for row in rows:
        for i in range(0, len(row), 3):
            if (abs(row[i] - r) <= tolerance and abs(row[i + 1] - g) <= tolerance
                    and abs(row[i + 2] - b) <= tolerance):
                count += 1
    return count


# ------------------------------------------------------------------------------------------------
# The tests
# ------------------------------------------------------------------------------------------------

pytestmark = pytest.mark.skipif(find_chromium() is None,
                                reason="Chromium is not installed (Debian: apt install chromium)")


@pytest.fixture(scope="module")
def browser():
    program = find_chromium()
    assert program is not None
    session = Browser(program)
    yield session
    session.close()


@pytest.fixture(scope="module")
def example_graph():
    return build_graph([EXAMPLE])


@pytest.fixture(scope="module")
def pages(tmp_path_factory, example_graph):
    """The example exported in each view, as HTML files."""
    folder = tmp_path_factory.mktemp("viewer")
    files = {}
    for view in ("citations", "structure", "full"):
        path = folder / f"{view}.html"
        path.write_text(to_html(to_networkx(example_graph, view=view)), encoding="utf-8")
        files[view] = path
    return files


def _keep(name: str, png: bytes) -> None:
    folder = os.environ.get("LEXGRAPH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(png)


@pytest.fixture(scope="module")
def views(example_graph):
    return {view: to_networkx(example_graph, view=view) for view in ("citations", "structure")}


def _problems_since(browser: Browser, start: int) -> list[str]:
    # Let two more frames be drawn, so that an error in drawing would have been reported.
    browser.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame("
                     "() => done(true))))")
    saved = browser.events
    browser.events = saved[start:]
    try:
        return browser.problems()
    finally:
        browser.events = saved


def _edge_key(view, source_label: str, target_label: str, relation: str) -> str:
    (key,) = [k for u, v, k, d in view.edges(keys=True, data=True)
              if view.nodes[u]["label"] == source_label and view.nodes[v]["label"] == target_label
              and d["relation"] == relation]
    return key


def _node_id(view, label: str) -> str:
    (node,) = [n for n, d in view.nodes(data=True) if d["label"] == label]
    return node


def _details(browser: Browser) -> str:
    return browser.evaluate("document.getElementById('details').innerText")


def _click_at(browser: Browser, point: dict) -> None:
    assert point is not None and point["inside"], point
    browser.click(point["x"], point["y"])


@pytest.mark.parametrize(("view", "nodes", "edges"), [
    ("citations", 11, 20),   # 58/137 and the 10 it cites; 14 typed citation edges, 6 context
    ("structure", 69, 85),   # 58/137, 33 paragraphs, 14 sub-paragraphs, 21 cited nodes
    ("full", 82, 117),       # and 8 footnotes, 5 documents that adopted what it cites
])
def test_opens_offline_without_errors_and_draws_every_node(browser, pages, view, nodes, edges):
    before = len(browser.events)
    browser.open(pages[view].as_uri())
    stats = browser.evaluate("window.lexgraph.stats()")
    assert (stats["nodes"], stats["edges"]) == (nodes, edges)
    assert (stats["visibleNodes"], stats["visibleEdges"]) == (nodes, edges)
    status = browser.evaluate("document.getElementById('status').textContent")
    assert status == f"{nodes} of {nodes} nodes · {edges} of {edges} edges shown"
    outside = browser.evaluate("window.lexgraph.nodeIds().filter(i => !window.lexgraph"
                               ".screenPoint(i).inside)")
    assert outside == [], "fitting the view leaves every node on screen"
    assert _problems_since(browser, before) == []


@pytest.mark.parametrize(("view", "source", "target", "relation", "shown"), [
    ("citations", "A/RES/58/137", "Palermo Convention", "implements",
     ["implements", "3 citations", "op.5.b.ii (article 24)",
      "“articles 24 and 25 of the United Nations Convention against Transnational Organized"]),
    ("citations", "A/RES/58/137", "A/RES/55/25", "recalls",
     ["recalls", "1 citation", "pp.6", "“resolution 55/25”"]),
    ("structure", "op.13", "Article 9(5)", "implements",
     ["op.13 (article 9, paragraph 5)", "“article 9, paragraph 5, of the Protocol to Prevent"]),
    ("structure", "pp.2", "Guideline 8", "takesNoteOf",
     ["takes note of", "pp.2 (guideline 8) via footnote 2", "“guideline 8, Special measures"]),
])
def test_clicking_an_edge_shows_the_quoted_words_and_the_paragraph(browser, pages, views, view,
                                                                   source, target, relation,
                                                                   shown):
    before = len(browser.events)
    browser.open(pages[view].as_uri())
    key = _edge_key(views[view], source, target, relation)
    _click_at(browser, browser.evaluate(f"window.lexgraph.edgePoint({json.dumps(key)})"))
    assert browser.evaluate("window.lexgraph.selection()") == {"type": "edge", "id": key}
    text = " ".join(_details(browser).split())
    for words in shown:
        assert words in text
    assert _problems_since(browser, before) == []


@pytest.mark.parametrize(("label", "shown"), [
    ("Palermo Convention", ["United Nations Convention against Transnational Organized Crime",
                            "Date 2000-11-15", "Cited 4 times", "Cited by (2)",
                            "A/RES/58/137 implements ×3", "Links (1) adopted by A/RES/55/25",
                            "Linked from (2)", "Palermo Protocol supplements"]),
    ("A/RES/58/137", ["Symbol A/RES/58/137", "Date 2003-12-22", "Cites (14)",
                      "implements Palermo Protocol ×5",
                      "recalls Vienna Declaration on Crime and Justice ×2",
                      "takes note of Trafficking Principles and Guidelines"]),
])
def test_clicking_a_node_shows_its_title_date_and_what_it_cites(browser, pages, views, label,
                                                                shown):
    browser.open(pages["citations"].as_uri())
    node = _node_id(views["citations"], label)
    _click_at(browser, browser.evaluate(f"window.lexgraph.screenPoint({json.dumps(node)})"))
    assert browser.evaluate("window.lexgraph.selection()") == {"type": "node", "id": node}
    text = " ".join(_details(browser).split()).casefold()  # headings are drawn in capitals
    for words in shown:
        assert words.casefold() in text, (words, text)
    assert "null" not in text and "undefined" not in text


def test_a_click_in_the_details_moves_to_the_edge_and_a_click_on_nothing_clears(browser, pages):
    browser.open(pages["citations"].as_uri())
    browser.evaluate("window.lexgraph.select('https://w3id.org/lexgraph/akn/un/doc/a-res-58-137')")
    link = browser.evaluate("""(() => {
        const button = [...document.querySelectorAll('#details button')].find(b =>
            b.textContent.startsWith('Basic Principles of Justice for Victims of Crime'));
        const box = button.getBoundingClientRect();
        return {x: box.left + box.width / 2, y: box.top + box.height / 2, inside: true};
    })()""")
    _click_at(browser, link)
    assert browser.evaluate("window.lexgraph.selection()")["type"] == "edge"
    assert "“Declaration of Basic Principles of Justice for Victims of Crime" in " ".join(
        _details(browser).split())
    browser.click(1270, 790)  # an empty corner of the drawing
    assert browser.evaluate("window.lexgraph.selection()") is None


@pytest.mark.parametrize(("query", "first"), [
    ("55/25", "A/RES/55/25"),
    ("smuggling", "Migrant Smuggling Protocol"),
    ("rights of the child", "Convention on the Rights of the Child"),  # in the title only
])
def test_search_by_symbol_or_title_selects_with_enter(browser, pages, query, first):
    browser.open(pages["citations"].as_uri())
    browser.key("/", "Slash", 191)
    assert browser.evaluate("document.activeElement.id") == "search"
    browser.type_text(query)
    results = browser.evaluate("[...document.querySelectorAll('#results button')]"
                               ".map(b => b.firstChild.textContent)")
    assert results[0] == first
    browser.key("Enter", "Enter", 13)
    selected = browser.evaluate("window.lexgraph.selection()")
    assert selected["type"] == "node"
    assert browser.evaluate("document.querySelector('#details h2').textContent") == first


@pytest.mark.parametrize(("group", "name", "nodes", "edges"), [
    ("relation", "implements", 11, 17),      # three implements edges hidden
    ("relation", "supplements", 11, 17),
    ("kind", "Protocol", 8, 9),              # three protocols and their eleven edges hidden
    ("kind", "Resolution", 9, 3),            # every citation starts at 58/137; 3 supplements
])
def test_filters_hide_relations_and_kinds(browser, pages, group, name, nodes, edges):
    browser.open(pages["citations"].as_uri())
    box = browser.evaluate(f"""(() => {{
        const input = document.querySelector('#{group}-filters input[data-name="{name}"]');
        const r = input.getBoundingClientRect();
        return {{x: r.left + r.width / 2, y: r.top + r.height / 2, inside: true}};
    }})()""")
    _click_at(browser, box)
    stats = browser.evaluate("window.lexgraph.stats()")
    assert (stats["visibleNodes"], stats["visibleEdges"]) == (nodes, edges)
    _click_at(browser, box)
    stats = browser.evaluate("window.lexgraph.stats()")
    assert (stats["visibleNodes"], stats["visibleEdges"]) == (11, 20)


def test_pan_and_zoom_move_the_drawing(browser, pages):
    browser.open(pages["citations"].as_uri())
    node = "https://w3id.org/lexgraph/akn/un/doc/a-res-58-137"
    other = "https://w3id.org/lexgraph/akn/un/doc/a-res-55-25"
    where = f"[window.lexgraph.screenPoint('{node}'), window.lexgraph.screenPoint('{other}')]"
    (a0, b0) = browser.evaluate(where)
    browser.key("+", "Equal", 187)
    (a1, b1) = browser.evaluate(where)
    assert abs(a1["x"] - b1["x"]) > abs(a0["x"] - b0["x"]) * 1.3  # zoomed in about the centre
    browser.call("Input.dispatchMouseEvent", type="mousePressed", x=1260, y=780, button="left",
                 clickCount=1)
    browser.call("Input.dispatchMouseEvent", type="mouseMoved", x=1160, y=730, button="left",
                 buttons=1)
    browser.call("Input.dispatchMouseEvent", type="mouseReleased", x=1160, y=730, button="left",
                 clickCount=1)
    (a2, _) = browser.evaluate(where)
    assert (round(a2["x"] - a1["x"]), round(a2["y"] - a1["y"])) == (-100, -50)
    browser.key("0", "Digit0", 48)
    (a3, b3) = browser.evaluate(where)
    assert (round(a3["x"]), round(b3["y"])) == (round(a0["x"]), round(b0["y"]))


@pytest.mark.parametrize(("view", "colours"), [
    ("citations", {"#3d85c6": 100, "#e69138": 300, "#6aa84f": 100, "#D55E00": 100,
                   "#0072B2": 100}),
    ("structure", {"#3d85c6": 20, "#7f9fc6": 100, "#d6a500": 50, "#D55E00": 100}),
])
def test_screenshot_shows_the_drawing(browser, pages, view, colours):
    browser.open(pages[view].as_uri())
    png = browser.screenshot()
    _keep(f"viewer-{view}.png", png)
    width, height, rows = png_pixels(png)
    assert (width, height) == (1280, 800)
    canvas = [row[340 * 3:] for row in rows]  # right of the side panel
    for colour, least in colours.items():
        assert colour_count(canvas, colour, tolerance=24) >= least, colour


def test_selecting_an_edge_dims_the_rest_of_the_drawing(browser, pages, views):
    browser.open(pages["citations"].as_uri())
    rows = png_pixels(browser.screenshot())[2]
    before = colour_count([row[340 * 3:] for row in rows], "#0072B2")
    key = _edge_key(views["citations"], "A/RES/58/137", "Palermo Convention", "implements")
    _click_at(browser, browser.evaluate(f"window.lexgraph.edgePoint({json.dumps(key)})"))
    png = browser.screenshot()
    _keep("viewer-citations-edge.png", png)
    canvas = [row[340 * 3:] for row in png_pixels(png)[2]]
    assert colour_count(canvas, "#0072B2") < before / 4  # recalls edges faded
    assert colour_count(canvas, "#D55E00") > 100          # the implements edge is not


def _odd_graphs():
    import networkx as nx

    empty = nx.MultiDiGraph(name="empty")
    single = nx.MultiDiGraph(name="one node")
    single.add_node("only", label="only", kind="Resolution", family="resolution")
    loops = nx.MultiDiGraph(name="loops and parallel edges")
    loops.add_node("a", label=None, kind=None, family="no such family", size=None)
    loops.add_node("b", title=["a", "list"], data={"nested": None})
    for relation in ("recalls", "recalls", "notes", "implements", "no-such-relation"):
        loops.add_edge("a", "b", relation=relation, quotes=None, weight="heavy")
    loops.add_edge("b", "a", relation="notes")
    loops.add_edge("a", "a", relation="cites", quote="itself")
    return {"empty": (empty, 0, 0), "single": (single, 1, 0), "loops": (loops, 2, 7)}


@pytest.mark.parametrize("name", ["empty", "single", "loops"])
def test_odd_graphs_open_without_errors(browser, tmp_path, name):
    graph, nodes, edges = _odd_graphs()[name]
    page = tmp_path / f"{name}.html"
    page.write_text(to_html(graph), encoding="utf-8")
    before = len(browser.events)
    browser.open(page.as_uri())
    stats = browser.evaluate("window.lexgraph.stats()")
    assert (stats["nodes"], stats["edges"]) == (nodes, edges)
    if edges:
        (loop,) = [k for u, v, k in plain_graph(graph, xml=False).edges(keys=True) if u == v]
        browser.evaluate(f"window.lexgraph.select({json.dumps(loop)})")
        assert "“itself”" in _details(browser)
        browser.evaluate("window.lexgraph.renderTime(1)")
    assert _problems_since(browser, before) == []


def test_the_error_check_itself_sees_console_errors_and_exceptions(browser, tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>console.error('seen');"
                    "window.lexgraph = {ready: true}; setTimeout(() => { throw new Error("
                    "'thrown'); }, 0);</script>", encoding="utf-8")
    before = len(browser.events)
    browser.open(page.as_uri())
    problems = " ".join(_problems_since(browser, before))
    assert "seen" in problems and "thrown" in problems
