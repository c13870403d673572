# alignment_stats — the front door. `make` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := alignment-stats
# make report INPUT=path/to/file [CODEBOOK=path/to/codebook.yaml]   runs every analysis on another input
INPUT  ?=
CODEBOOK ?=
# extra options for `alignment-stats report`, e.g. REPORT_ARGS="--jobs 1 --no-html"
REPORT_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install report schedule test lab notebooks clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "alignment_stats needs Python >= 3.10; run make PYTHON=python3.1x")'
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml changes (the package itself is editable).
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing alignment_stats and its dependencies into $(VENV) ..."
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (alignment_stats)" >/dev/null
	@touch $(STAMP)
	@echo "Installed; Jupyter kernel '$(KERNEL)' registered inside $(VENV)."

install: $(STAMP) ## create .venv, install the project and register its Jupyter kernel

report: $(STAMP) ## run every analysis notebook on the bundled data into reports/<run-id>/
	$(BIN)/alignment-stats report $(if $(INPUT),--input "$(INPUT)") $(if $(CODEBOOK),-p codebook="$(CODEBOOK)") $(REPORT_ARGS)

schedule: $(STAMP) ## run the scheduled reports of runs.yaml into reports/<batch-id>/<run-name>/
	$(BIN)/alignment-stats report --config runs.yaml $(REPORT_ARGS)

test: $(STAMP) ## run the test suite: unit tests, doctests and nbval over notebooks/
	$(BIN)/python -m pytest tests alignment_stats notebooks --doctest-modules \
		--nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

lab: $(STAMP) ## open JupyterLab on notebooks/ with the project kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks

notebooks: $(STAMP) ## re-execute the stored notebooks in place (refreshes the outputs nbval compares)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --NotebookClient.record_timing=False \
		--ExecutePreprocessor.kernel_name=$(KERNEL) notebooks/[0-9]*.ipynb

clean: ## remove .venv, generated data and reports (data/raw is never touched)
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
	find data/processed reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
