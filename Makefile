# The course in two commands: `make lab` to learn, `make check` to verify.
VENV   := .venv
PYTHON := $(VENV)/bin/python
SETUP  := $(VENV)/.installed
BROWSER_SETUP := $(VENV)/.browser-installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]*_*.ipynb))

# Same hashing, same thread count, same summation order on every run.
export PYTHONHASHSEED := 0
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Python keeps all bytecode, the installed packages' and the course's own modules' and tests', in .venv/pycache,
# out of the source folders, even where PYTHONDONTWRITEBYTECODE is set: a second run then neither compiles them
# nor rewrites the tests' asserts again (about 3 s in each pytest worker).
export PYTHONPYCACHEPREFIX := $(abspath $(VENV))/pycache
export PYTHONDONTWRITEBYTECODE :=
# Chapters run offline and write nothing into the repository (tools/guard/sitecustomize.py enforces both).
GUARD := PYTHONPATH=$(CURDIR)/tools/guard
# The grading tests start a kernel per fixture notebook: `make grade-test` runs them, .ci/run calls it.
# pytest-xdist runs tests on every core; conftest.py keeps each chapter's cells on one worker, in order, and
# hands out the longest work first.
PARALLEL := -n auto
UNIT_TEST_PATHS := tests --ignore=tests/export --ignore=tests/test_grade.py
UNIT_TESTS := $(PYTHON) -m pytest -p no:cacheprovider $(PARALLEL) $(UNIT_TEST_PATHS)
# NBVAL_OPTS adds pytest options to the notebook runs (tools/bench.py asks for a --junitxml report).
NBVAL := $(GUARD) $(PYTHON) -m pytest -p no:cacheprovider $(PARALLEL) --nbval --nbval-current-env $(NBVAL_OPTS)

.PHONY: help setup lab check test notebooks execute html html-test student student-test grade grade-test browser-test bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

# uv (pinned, from the package index) installs the requirements several times faster than pip; where it cannot
# be installed or fails, pip installs the same pins. Then every installed module is compiled once into the
# bytecode cache (PYTHONPYCACHEPREFIX, above), so that no kernel or test process compiles Jupyter and matplotlib
# again: where PYTHONDONTWRITEBYTECODE is set, each import of them used to take twice as long. Compiling is only a
# speed-up, so a file that this Python cannot compile does not stop the set-up (PyTorch, installed to compare in
# `make bench`, ships a test helper in Python 3.12 syntax).
UV := uv==0.13.8

$(SETUP): requirements.txt pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	@echo "installing the pinned requirements and nncore into $(VENV) with $(UV) (pip where uv cannot be installed)"
	@{ $(PYTHON) -m pip install --quiet $(UV) 2>/dev/null && $(PYTHON) -m uv pip install --quiet --python $(PYTHON) -r requirements.txt; } \
	  || { echo "uv is not available here: installing with pip"; $(PYTHON) -m pip install --quiet -r requirements.txt; }
	$(PYTHON) -m compileall -q -j 0 $(VENV)/lib >/dev/null \
	  || echo "some installed files do not compile on this Python: they stay uncompiled (the set-up goes on)"
	touch $(SETUP)

setup: $(SETUP)  ## Create .venv and install the pinned requirements and nncore (editable)

lab: $(SETUP)  ## Open JupyterLab on the course
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

check: $(SETUP)  ## Unit tests and every notebook re-executed and compared by nbval (strict), in one run
	$(NBVAL) $(UNIT_TEST_PATHS) notebooks

test: $(SETUP)  ## Unit tests only
	$(UNIT_TESTS)

notebooks: $(SETUP)  ## nbval only; NB=notebooks/01_neurons.ipynb for one chapter
	$(NBVAL) $(or $(NB),notebooks)

execute: $(SETUP)  ## Re-execute notebooks in place with clean metadata; NB=... for one chapter
	$(PYTHON) tools/execute_notebooks.py $(or $(NB),$(NOTEBOOKS))

html: $(SETUP)  ## Export every chapter to build/html (offline: local MathJax, embedded figures)
	$(PYTHON) tools/export_html.py build/html

html-test: html  ## Every link of the HTML edition leads to a page and an anchor that exist
	$(PYTHON) -m pytest -p no:cacheprovider tests/export/test_links.py

student: $(SETUP)  ## Student edition in build/student: outputs cleared, solutions replaced by stubs
	$(PYTHON) tools/make_student.py build/student

student-test: student  ## Each student chapter runs up to its first stub, and every stub's check fails helpfully
	$(PYTHON) -m pytest -p no:cacheprovider $(PARALLEL) tests/export/test_student.py

grade: $(SETUP)  ## Grade a class offline: SUBMISSIONS=folder (alice/04_loss.ipynb ...) into build/grades
	$(if $(SUBMISSIONS),,$(error give the folder of submissions: make grade SUBMISSIONS=path/to/folder))
	$(PYTHON) tools/grade.py $(SUBMISSIONS) $(GRADE_OPTS)

grade-test: $(SETUP)  ## Grade a class of fixture submissions (complete, partial, cheats, broken) and check every row
	$(PYTHON) -m pytest -p no:cacheprovider tests/test_grade.py

$(BROWSER_SETUP): requirements-browser.txt $(SETUP)
	command -v chromium >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	$(PYTHON) -m pip install --quiet -r requirements-browser.txt
	touch $(BROWSER_SETUP)

browser-test: $(BROWSER_SETUP) html  ## Headless Chromium opens the HTML edition and a JupyterLab chapter
	$(PYTHON) -m pytest -p no:cacheprovider tests/export/test_browser.py

bench: $(SETUP)  ## Time nncore against a book-style loop, PyTorch (if installed), the GEMM floor; make check
	$(PYTHON) tools/bench.py $(BENCH_OPTS)

clean:  ## Remove build output and caches (keeps .venv)
	rm -rf build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
