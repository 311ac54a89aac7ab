# The course in two commands: `make lab` to learn, `make check` to verify.
VENV   := .venv
PYTHON := $(VENV)/bin/python
SETUP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]*_*.ipynb))

# Same hashing, same thread count, same summation order on every run.
export PYTHONHASHSEED := 0
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup lab check test notebooks execute clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

$(SETUP): requirements.txt pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $(SETUP)

setup: $(SETUP)  ## Create .venv and install the pinned requirements and nncore (editable)

lab: $(SETUP)  ## Open JupyterLab on the course
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks

check: $(SETUP)  ## Unit tests, then every notebook re-executed and compared by nbval (strict)
	$(PYTHON) -m pytest -p no:cacheprovider tests
	$(PYTHON) -m pytest -p no:cacheprovider --nbval --nbval-current-env notebooks

test: $(SETUP)  ## Unit tests only
	$(PYTHON) -m pytest -p no:cacheprovider tests

notebooks: $(SETUP)  ## nbval only; NB=notebooks/01_neurons.ipynb for one chapter
	$(PYTHON) -m pytest -p no:cacheprovider --nbval --nbval-current-env $(or $(NB),notebooks)

execute: $(SETUP)  ## Re-execute notebooks in place with clean metadata; NB=... for one chapter
	$(PYTHON) tools/execute_notebooks.py $(or $(NB),$(NOTEBOOKS))

clean:  ## Remove build output and caches (keeps .venv)
	rm -rf build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
