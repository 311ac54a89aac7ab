"""How pytest-xdist shares the work of `make check` (unit tests and notebooks in one run) among the cores.

- A notebook's cells are one unit of work: one worker executes them in order, in one kernel, as nbval needs.
  Every other test is a unit of its own.
- Units go out in collection order, each to the next worker that is free, and the longest come first: the
  notebooks from the last chapter back (the later chapters train longer, 10 to 30 s each), then the book's chapter
  listings (a few seconds each), then the short unit tests, which fill the gaps. No worker is left with a long
  unit while the others idle.
"""
import os

from threadpoolctl import threadpool_limits
from xdist.scheduler import LoadScopeScheduling

# `python -m pytest` run directly gets the Makefile's settings too: BLAS on one thread (the chapters' matrices are
# small; on 2 cores, two workers with a thread per core each took the unit tests from 26 s to 67 s, and threaded
# sums change the last digits that nbval compares) and the same hashing. Workers and nbval's kernels inherit the
# variables; this process has loaded NumPy already, so its own pools are limited directly.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
os.environ.setdefault("PYTHONHASHSEED", "0")
threadpool_limits(int(os.environ["OPENBLAS_NUM_THREADS"]))


class NotebookScheduling(LoadScopeScheduling):
    """xdist's scheduling by scope, with a notebook file as the scope of its cells and a test as its own scope."""

    def _split_scope(self, nodeid):
        path = nodeid.split("::", 1)[0]
        return path if path.endswith(".ipynb") else nodeid


def pytest_xdist_make_scheduler(config, log):
    config.option.loadscopereorder = False  # keep the order below, not the largest scope first
    return NotebookScheduling(config, log)


def _longest_first(item):
    if item.path.suffix == ".ipynb":
        return 0, -int(item.path.name.split("_")[0])
    if item.path.name == "test_book_chapters.py":
        return 1, -item.callspec.params.get("chapter", 10)  # chapter 10's listing runs once per optimizer
    return 2, 0


def pytest_collection_modifyitems(items):
    items.sort(key=_longest_first)  # a stable sort: the cells of a notebook keep their order
