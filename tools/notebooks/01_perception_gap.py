"""Builds notebooks/01_perception_gap.ipynb (cells only; run `make notebooks` afterwards to execute it).

The stored notebook is what users and nbval see; this script is how its cells
are written, so a change of structure is a change here, not hand-edited JSON.
"""
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
import nbformat as nbf
nb = nbf.v4.new_notebook()
md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
params = code('''# Parameters (papermill injects overrides in a cell below this one)
input = None  # str | None: figures CSV, counts table or response file; None = bundled figures, reconstructed by the audit
codebook = None  # str | None: YAML codebook when input holds respondent-level answers
study = None  # str | None: one study id; None = every study with items asked of both groups
alpha = 0.05  # float: significance level; intervals are 1 - alpha
ci = "newcombe"  # str: newcombe | agresti-caffo | score | wald
test = "fisher"  # str: fisher | boschloo | z | chi2
adjust = "holm"  # str: holm | fdr_bh | bonferroni | none (within each study)
assumed_n = 100  # int: group size assumed where none is published or inferable
n_overrides = None  # str | None: group sizes to use instead, e.g. "accenture_2014/it:500, accenture_2014/marketing:647"
rounding = "half_up"  # str: rule assumed where a source does not say
crosstab_study = None  # str | None: study shown as an SPSS-style crosstab; None = the one with most items compared
convention = "spss"  # str: spss | q - significance-letter convention of the crosstab
output_dir = None  # str | None: where results/ and figures/ go; None = reports/interactive/01_perception_gap''')
params.metadata["tags"] = ["parameters"]
nb.cells = [
    md("""# 01 · Perception gap: do marketing and IT see their relationship differently?

"30% of marketers but only 13% of IT leaders call the relationship very collaborative." How big is
each gap, how uncertain, and would a study of this size have seen it at all? Counts come from the
data audit (notebook 00); studies that do not publish group sizes are analysed under an assumed size
and with the smallest group size at which the published gap would become significant."""),
    params,
    code('''from IPython.display import Markdown, display

from alignment_stats import outputs, plots
from alignment_stats.perception import run_perception

out = outputs.resolve_output_dir(output_dir, "01_perception_gap")
result = run_perception(input, study, alpha=alpha, ci=ci, test=test, adjust=adjust, assumed_n=assumed_n, n_overrides=n_overrides,
                        rounding=rounding, codebook=codebook)
written = result.write(out)
print(f"{len(result.gaps)} items asked of both groups, from {result.source}; CI {ci}, test {test}, adjustment {adjust}")'''),
    md("## Differences with confidence intervals\n\nMarketing minus IT, in percentage points. Filled markers: significant after adjustment within the study; grey: group sizes assumed."),
    code('''figure = plots.forest_plot(result.gaps, alpha=alpha)
outputs.save_figure(figure, out, "forest_plot")
figure'''),
    md("## The table\n\nShares and differences in percent; `mdd` is the smallest gap (same direction) this sample detects with 80% power; `n_significant` the smallest equal group size from which on the published gap is significant."),
    code("result.table"),
    md("## Verdicts in words"),
    code("display(Markdown(result.verdicts_markdown()))"),
    md("## Does the conclusion survive other choices?\n\nEvery candidate group size, rounding rule and feasible count from the audit; then every interval method and multiplicity adjustment. `robust` is False when any choice flips significance."),
    code("result.sensitivity_table"),
    md("## Studies without published group sizes\n\nThe published gap's interval at each assumed size per group: where the band clears zero, the gap would be significant."),
    code('''figure = plots.significance_by_size_plot(result.size_grid, result.size_labels)
outputs.save_figure(figure, out, "significance_by_size")
figure'''),
    md("## Crosstab view\n\nAs in SPSS Custom Tables (`spss`: Bonferroni-adjusted column proportions, letters at alpha) or Q (`q`: FDR, upper case at 0.001, lower case at 0.05): a letter marks the columns a cell is significantly higher than."),
    code("result.crosstab_styled(crosstab_study, convention=convention)"),
    md("## Claims of the source articles"),
    code("result.verdicts"),
    md("## Reading\n\nGenerated from the results above."),
    code("display(Markdown(result.reading()))"),
]
nb.metadata["kernelspec"] = {"name": "alignment-stats", "display_name": "Python (alignment_stats)", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
nbf.write(nb, str(NOTEBOOKS / "01_perception_gap.ipynb"))
