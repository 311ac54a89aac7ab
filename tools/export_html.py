"""Export the chapters to an offline HTML edition: ``build/html/index.html`` plus one page per chapter.

Usage: python tools/export_html.py [OUTPUT_DIR]

Pages embed their figures and markdown images, typeset math with a MathJax copy
shipped by the pinned ``django-static-mathjax`` package (copied to ``_static/``),
and link previous / contents / next. Links between chapters (``08_regression.ipynb#Anchor``,
which JupyterLab follows) point to the chapters' pages (``08_regression.html#Anchor``). Nothing is loaded from the network, so the
pages work from ``file://`` and from any local server.
"""
import html
import re
import shutil
import sys
from pathlib import Path

import mathjax
import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
MATHJAX_FILE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg-full.js"
NOTEBOOK_LINK = re.compile(r'href="([^"/:#]+)\.ipynb(#[^"]*)?"')
COURSE_TITLE = "nncore — neural networks from scratch, with Python and NumPy"


def chapters():
    return sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb"))


def summaries():
    """One-line summaries from the README's chapter table, so they are written once."""
    rows = re.findall(r"^\| \[(\w+)\]\(notebooks/\w+\.ipynb\) \| (.+?) \|$", (ROOT / "README.md").read_text(), re.M)
    return dict(rows)


def chapter_title(notebook, fallback):
    first = notebook.cells[0].source.splitlines()[0] if notebook.cells else ""
    return first.lstrip("# ").strip() or fallback


def export_chapter(exporter, path, previous, following):
    notebook = nbformat.read(path, as_version=4)
    resources = {"metadata": {"name": chapter_title(notebook, path.stem), "path": str(path.parent)},
                 "course": {"mathjax": "_static/tex-svg-full.js",
                            "previous": previous and f"{previous.stem}.html",
                            "next": following and f"{following.stem}.html"}}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return chapter_title(notebook, path.stem), NOTEBOOK_LINK.sub(r'href="\1.html\2"', body)


def inline_markdown(text):
    """Escape ``text`` for HTML and render its `code` spans."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def index_page(entries):
    items = "\n".join(f'  <li><a href="{stem}.html">{inline_markdown(title)}</a> — {inline_markdown(summary)}</li>'
                      for stem, title, summary in entries)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>{html.escape(COURSE_TITLE)}</title>
<style>body {{font-family: sans-serif; max-width: 50em; margin: 2em auto; line-height: 1.5}}
li {{margin: 0.4em 0}} a {{color: #1565c0}}</style></head>
<body>
<h1>{html.escape(COURSE_TITLE)}</h1>
<p>A step-by-step course: each chapter builds one idea with NumPy and checks it. Read them in order.</p>
<ol>
{items}
</ol>
</body>
</html>
"""


def main(output):
    output.mkdir(parents=True, exist_ok=True)
    (output / "_static").mkdir(exist_ok=True)
    shutil.copyfile(MATHJAX_FILE, output / "_static" / MATHJAX_FILE.name)
    exporter = HTMLExporter(template_name="nncore", extra_template_basedirs=[str(ROOT / "tools" / "templates")],
                            embed_images=True)
    paths, lines = chapters(), summaries()
    entries = []
    for index, path in enumerate(paths):
        previous = paths[index - 1] if index > 0 else None
        following = paths[index + 1] if index + 1 < len(paths) else None
        title, body = export_chapter(exporter, path, previous, following)
        (output / f"{path.stem}.html").write_text(body, encoding="utf-8")
        entries.append((path.stem, title, lines.get(path.stem, "")))
        print(f"exported {path.name}")
    (output / "index.html").write_text(index_page(entries), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "html")
