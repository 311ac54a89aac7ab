"""The HTML edition and JupyterLab, opened in headless Chromium (Debian's, driven by Playwright).

Run by `make browser-test` after `make html`. Each page must typeset its math with no TeX error and no raw
`$...$` left, load every image, log no console error, request nothing outside the local server, and link to
its neighbours. A screenshot of each page is saved under build/screenshots/. The gradebook of `make grade`, for a
small class of fixture submissions, is opened too; with NNCORE_PUBLISH_SCREENSHOTS=1 its screenshot is also
copied to docs/ for the README.
"""
import functools
import http.server
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "build" / "html"
SHOTS = ROOT / "build" / "screenshots"
CHAPTERS = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

RAW_MATH = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: node =>
    node.parentElement.closest('mjx-container, code, pre, .jp-OutputArea, script, style')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const texts = [];
  while (walker.nextNode()) texts.push(walker.currentNode.textContent);
  return texts.join(' ');
}"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    assert (HTML / "index.html").exists(), "run `make html` first"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with a record of its console errors, failed requests and foreign requests."""

    def __init__(self, browser, origin):
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.console_errors, self.failed, self.foreign = [], [], []
        self.page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("request", lambda request: request.url.startswith((origin, "data:", "blob:"))
                     or self.foreign.append(request.url))

    def assert_clean(self):
        assert self.console_errors == [], self.console_errors
        assert self.failed == [], self.failed
        assert self.foreign == [], f"requests left the machine: {self.foreign}"


def test_index_lists_every_chapter_with_a_summary(browser, site):
    watched = Watched(browser, site)
    watched.page.goto(f"{site}/index.html")
    links = watched.page.locator("ol li a")
    assert [link.get_attribute("href") for link in links.all()] == [f"{stem}.html" for stem in CHAPTERS]
    for item in watched.page.locator("ol li").all():
        assert re.search(r"— \S", item.inner_text()), f"no summary in {item.inner_text()!r}"
    watched.page.screenshot(path=SHOTS / "index.png")
    watched.assert_clean()
    watched.page.close()


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapter_renders_offline(browser, site, stem):
    watched = Watched(browser, site)
    page = watched.page
    page.goto(f"{site}/{stem}.html", wait_until="load")
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30000)
    page.evaluate("MathJax.startup.promise")
    assert page.locator("mjx-container").count() > 0, "no math was typeset"
    assert page.locator("mjx-merror").count() == 0, page.locator("mjx-merror").first.get_attribute("data-mjx-error")
    leftover = re.findall(r"\$[^$\n]{1,60}\$?", page.evaluate(RAW_MATH))
    assert leftover == [], f"raw TeX left on the page: {leftover[:5]}"
    images = page.evaluate("[...document.images].map(img => [img.complete && img.naturalWidth > 0, img.alt])")
    assert images and all(loaded for loaded, _ in images), f"{len(images)} images, some not loaded: {images}"
    page.screenshot(path=SHOTS / f"{stem}.png")
    watched.assert_clean()
    page.close()


def test_navigation_walks_the_course(browser, site):
    watched = Watched(browser, site)
    page = watched.page
    page.goto(f"{site}/{CHAPTERS[0]}.html")
    assert page.locator("nav.top span.disabled").first.inner_text().startswith("←")
    for stem in CHAPTERS[1:]:
        page.locator("nav.top a[rel=next]").click()
        page.wait_for_url(f"**/{stem}.html")
    assert page.locator("nav.top a[rel=next]").count() == 0
    page.locator("nav.top a[rel=prev]").click()
    page.wait_for_url(f"**/{CHAPTERS[-2]}.html")
    page.locator("nav.bottom a[rel=contents]").click()
    page.wait_for_url("**/index.html")
    page.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as `make lab` starts it, on a free port with a token, news fetching off."""
    settings = tmp_path_factory.mktemp("lab-settings")
    plugin = settings / "@jupyterlab" / "apputils-extension"
    plugin.mkdir(parents=True)
    (plugin / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings)}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT / 'notebooks'}"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "JupyterLab did not start"
            time.sleep(0.5)
    yield base, token
    server.terminate()
    server.wait(timeout=30)


def kernel_states(base, token):
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=5) as response:
        return [kernel["execution_state"] for kernel in json.load(response)]


def test_jupyterlab_serves_a_chapter_with_an_idle_kernel(browser, lab):
    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{base}/lab/tree/{CHAPTERS[0]}.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60000)
    page.wait_for_selector(".jp-RenderedMarkdown h1", timeout=30000)
    page.wait_for_selector(".jp-OutputArea-output", timeout=30000)  # the committed outputs are shown
    deadline = time.monotonic() + 60
    while kernel_states(base, token) != ["idle"]:
        assert time.monotonic() < deadline, f"kernel states {kernel_states(base, token)}"
        time.sleep(0.5)
    page.wait_for_timeout(500)
    page.screenshot(path=SHOTS / "jupyterlab.png")
    page.close()


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """build/grades-like output of `make grade` for a small class: every status appears once at least."""
    sys.path.insert(0, str(ROOT / "tests"))
    import grade_fixtures
    folder = grade_fixtures.make_class(tmp_path_factory.mktemp("class") / "submissions", [
        "complete", "partial", "empty", "cheat-numpy-patch", "broken-deleted-cells", "broken-infinite-loop",
        "broken-os-exit", "broken-invalid-json"])
    output = folder.parent / "grades"
    grade_fixtures.grade.grade_class(folder, output, jobs=2, quiet=True,
                                     limits=grade_fixtures.grade.grade_run.Limits(cell_seconds=8))
    return output


def test_the_gradebook_shows_every_student_and_the_pass_rate_of_each_exercise(browser, gradebook):
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    errors, foreign = [], []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("request", lambda request: request.url.startswith("file://") or foreign.append(request.url))
    page.goto((gradebook / "index.html").as_uri())
    assert page.locator("table tr td a").count() == 9  # with the flat copy of "partial"
    statuses = set(page.evaluate("[...document.querySelectorAll('td.status')].map(td => td.classList[1])"))
    assert statuses == {"passed", "failed", "error", "timeout", "missing", "invalid"}
    colours = page.evaluate("[...document.querySelectorAll('td.status')].map(td => getComputedStyle(td)"
                            ".backgroundColor)")
    assert "rgba(0, 0, 0, 0)" not in colours, "a status cell has no colour"
    assert page.locator("svg rect").count() == 12  # 01_neurons and 04_loss, 6 exercises each
    page.screenshot(path=SHOTS / "gradebook.png", full_page=True)
    if os.environ.get("NNCORE_PUBLISH_SCREENSHOTS") == "1":  # a test run never changes the repository otherwise
        shutil.copyfile(SHOTS / "gradebook.png", ROOT / "docs" / "gradebook.png")
    page.locator("a", has_text="partial").click()
    assert page.locator("h1").inner_text() == "partial: 2 / 12 points"
    assert errors == [] and foreign == []
    page.close()
