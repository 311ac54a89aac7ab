"""Every link of the HTML edition leads somewhere: run by `make html-test` after `make html`.

Each ``href`` and ``src`` of every page is followed inside build/html: the file must exist and a
``#fragment`` must name an element of that page, as it is written or percent-decoded (browsers try both, and
nbconvert writes heading ids percent-encoded). The edition is offline, so a link that leaves it (``http:``,
``https:``, ``//host``) is a failure too; ``data:`` URIs and ``mailto:`` are not links to follow.
"""
import functools
import html.parser
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "build" / "html"
PAGES = sorted(HTML.glob("*.html"))


class LinksAndIds(html.parser.HTMLParser):
    """Collects the page's link targets (``href`` and ``src``) and the ids and names it defines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.targets, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) is not None:
                self.targets.append((tag, attrs[key]))


@functools.lru_cache(maxsize=None)
def parse(path):
    parser = LinksAndIds()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_edition_was_built():
    assert (HTML / "index.html").exists(), "run `make html` first"
    chapters = {path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb")}
    assert chapters <= {path.stem for path in PAGES}, "every chapter has a page"


@pytest.mark.parametrize("page", PAGES, ids=[path.stem for path in PAGES])
def test_every_link_of_the_page_leads_somewhere(page):
    dead = []
    for tag, target in parse(page).targets:
        url = urllib.parse.urlsplit(target)
        if url.scheme in ("data", "mailto"):
            continue
        if url.scheme or url.netloc:
            dead.append(f"<{tag}> {target}: leaves the offline edition")
            continue
        destination = (page.parent / urllib.parse.unquote(url.path)).resolve() if url.path else page
        if not destination.is_file() or HTML.resolve() not in destination.parents:
            dead.append(f"<{tag}> {target}: no file {destination.name} in build/html")
        elif url.fragment and destination.suffix == ".html" \
                and not {url.fragment, urllib.parse.unquote(url.fragment)} & parse(destination).ids:
            dead.append(f"<{tag}> {target}: {destination.name} has no element with id {url.fragment!r}")
    assert not dead, f"{page.name} has dead links:\n" + "\n".join(dead)
