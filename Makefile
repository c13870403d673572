# alignment_stats — the front door. `make` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := alignment-stats
# make report INPUT=file [CODEBOOK=codebook.yaml] [STUDIES=studies.yaml] [CLAIMS=claims.csv]
# runs every analysis on another input (paths from the current folder)
INPUT    ?=
CODEBOOK ?=
STUDIES  ?=
CLAIMS   ?=
# extra options for `alignment-stats report`, e.g. REPORT_ARGS="--jobs 1 --no-html"
REPORT_ARGS ?=
# pytest workers for `make test` (xdist); 1 runs everything in one process
TEST_JOBS ?= 2
NOTEBOOKS := $(wildcard notebooks/[0-9][0-9]_*.py)

.DEFAULT_GOAL := help
.PHONY: help install report schedule test scan lint lab notebooks soak clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "alignment_stats needs Python >= 3.10; run make PYTHON=python3.1x")'
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml changes (the package itself is editable).
# uv (from PyPI) installs the same packages about five times faster than pip; pip is the fallback.
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing alignment_stats and its dependencies into $(VENV) ..."
	@if $(BIN)/python -m pip install --quiet --disable-pip-version-check uv && \
	    $(BIN)/python -m uv pip install --quiet --python $(BIN)/python -e ".[test]"; then :; \
	else echo "uv unavailable or failed; installing with pip"; \
	    $(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"; fi
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (alignment_stats)" >/dev/null
	@touch $(STAMP)
	@echo "Installed; Jupyter kernel '$(KERNEL)' registered inside $(VENV)."

install: $(STAMP) ## create .venv, install the project and register its Jupyter kernel

report: $(STAMP) ## run every analysis notebook (bundled data, or INPUT=...) into reports/<run-id>/
	$(BIN)/alignment-stats report $(if $(INPUT),--input "$(INPUT)") $(if $(CODEBOOK),--codebook "$(CODEBOOK)") \
		$(if $(STUDIES),--studies "$(STUDIES)") $(if $(CLAIMS),--claims "$(CLAIMS)") $(REPORT_ARGS)

schedule: $(STAMP) ## run the scheduled reports of runs.yaml into reports/<batch-id>/<run-name>/
	$(BIN)/alignment-stats report --config runs.yaml $(REPORT_ARGS)

lint: $(STAMP) ## check the layer contracts (import-linter) of pyproject.toml
	$(BIN)/lint-imports

test: lint ## run the test suite: layer contracts, unit tests, doctests, nbval over notebooks/
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile tests alignment_stats notebooks --doctest-modules \
		--nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg --ignore=tests/outputs

scan: $(STAMP) ## every runs.yaml run and three new studies end to end; scan every table, notebook and page
	$(BIN)/python -m pytest tests/outputs

lab: $(STAMP) ## open JupyterLab on notebooks/ with the project kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks

notebooks: $(STAMP) ## parameters cells from the settings models, jupytext sync, re-execute (refreshes what nbval compares)
	$(BIN)/python tools/parameters_cells.py
	$(BIN)/jupytext --sync $(NOTEBOOKS)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --NotebookClient.record_timing=False \
		--ExecutePreprocessor.kernel_name=$(KERNEL) $(NOTEBOOKS:.py=.ipynb)
	$(BIN)/jupytext --sync $(NOTEBOOKS)

soak: $(STAMP) ## 50 cached and uncached reports and 20 interrupted ones; fails on any left kernel, folder or file
	$(BIN)/python benchmarks/soak.py

clean: ## remove .venv, generated data and reports (data/raw is never touched)
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
	find data/processed reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
