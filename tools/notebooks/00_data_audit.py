"""Builds notebooks/00_data_audit.ipynb (cells only; run `make notebooks` afterwards to execute it).

The stored notebook is what users and nbval see; this script is how its cells
are written, so a change of structure is a change here, not hand-edited JSON.
"""
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
import nbformat as nbf
nb = nbf.v4.new_notebook()
md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
params = code('''# Parameters (papermill injects overrides in a cell below this one)
input = None  # str | None: a figures CSV (or a response file with codebook); None = bundled data/raw/benchmark_figures.csv
codebook = None  # str | None: YAML codebook when input holds respondent-level answers (counts are then observed)
studies = None  # str | None: its studies.yaml; None = beside input, else bundled
rounding = "half_up"  # str: half_up | half_even | truncate | ceil | any - rule assumed where a source does not say
decimals = None  # int | None: decimals the percentages carry; None = as written
max_missing = 1  # int: non-responding or unclassified respondents allowed per group
output_dir = None  # str | None: where results/ and figures/ go; None = reports/interactive/00_data_audit
processed_dir = "data/processed"  # str | None: where counts.parquet/.csv go (relative to the project); None = skip''')
params.metadata["tags"] = ["parameters"]
nb.cells = [
    md("""# 00 · Data audit: are the published figures even consistent?

Studies publish percentages, not counts. Before any test we ask, for every figure: **which whole
counts and group sizes could have produced it**, and do the figures of one study fit together?
A GRIM-style check (Brown & Heathers 2017): with 25 respondents only multiples of 4% exist, so a
reported 13% cannot come from 25 people. Nothing found here is "fixed": an impossible figure stays
flagged, and the counts table records which group size was used and why."""),
    params,
    code('''from IPython.display import Markdown, display

from alignment_stats import outputs, plots
from alignment_stats.audit import run_audit

out = outputs.resolve_output_dir(output_dir, "00_data_audit")
audit = run_audit(input, studies, rounding=rounding, decimals=decimals, max_missing=max_missing, codebook=codebook)
print(audit.describe())'''),
    md("## The published figures\n\nOne row per figure, with its source (seed article or URL). Vague wordings (\"one third\") are intervals `low`–`high`, never points."),
    code('audit.figures[["study", "item", "group", "value", "low", "high", "n", "source_kind", "source"]]'),
    md("""## Which group sizes fit?

Each panel is a group whose size must be inferred or checked: rows are its figures, columns
candidate group sizes, dark cells sizes at which some whole count gives exactly the published
figure. The outlined column is the size used."""),
    code('''figure = plots.feasibility_heatmap(audit.grid, chosen=audit.chosen_map)
outputs.save_figure(figure, out, "feasibility_heatmap")
figure'''),
    md("## Group sizes used, and why"),
    code("audit.chosen_sizes"),
    md("""## Does the conclusion depend on the rounding rule?

Number of figures that no whole count can produce, per group and rounding rule (each rule picks its own best group size)."""),
    code("audit.sensitivity_table"),
    md("## Cross-figure checks\n\nComposition, group sizes, pooled figures, nested figures and two reports of the same figure."),
    code("audit.cross_checks"),
    md("## Counts behind every figure\n\nWritten to `data/processed/counts.parquet` and `counts.csv`; the analysis notebooks read these counts."),
    code('''written = audit.write(out, processed_dir)
audit.counts'''),
    md("## Findings\n\nGenerated from the checks above."),
    code("display(Markdown(audit.findings_markdown()))"),
]
nb.metadata["kernelspec"] = {"name": "alignment-stats", "display_name": "Python (alignment_stats)", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
nbf.write(nb, str(NOTEBOOKS / "00_data_audit.ipynb"))
