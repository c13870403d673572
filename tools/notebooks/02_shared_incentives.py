"""Builds notebooks/02_shared_incentives.ipynb (cells only; run `make notebooks` afterwards to execute it).

The stored notebook is what users and nbval see; this script is how its cells
are written, so a change of structure is a change here, not hand-edited JSON.
"""
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

md = new_markdown_cell
code = new_code_cell

cells = [
    md("""# 02 · Shared incentives: do marketing and IT really agree?

"63% of respondents in both marketing and IT say they do not share incentives or metrics", and both groups
about equally say they deliver omnichannel experiences (54% vs 50%). The articles read this as agreement. But a
difference that is not significant is not evidence of agreement: a small group can hide a large difference.
Here agreement is tested directly, as **equivalence within a margin** (two
one-sided tests, TOST), and the notebook says what these data can and cannot show: the smallest margin they
demonstrate and how many respondents a study would need to demonstrate the chosen one. Which items are
"agreement" items comes from the claims data (`data/raw/claims.csv`, `kind = agreement`)."""),
    code("""# Parameters (papermill injects overrides in a cell below this one)
input = None  # str | None: figures CSV, counts table or response file; None = bundled figures, reconstructed by the audit
codebook = None  # str | None: YAML codebook when input holds respondent-level answers
study = None  # str | None: one study id; None = every study with agreement claims
margin = 0.10  # float: equivalence margin as a proportion (0.10 = differences within ±10 points count as agreement)
alpha = 0.05  # float: level of each one-sided test; the equivalence interval is 1 - 2*alpha (90%)
power = 0.8  # float: target power for the group size needed
rounding = "half_up"  # str: rule assumed where a source does not say (half_up | half_even | truncate | ceil)
design_effect = 1.0  # float: design effect of a weighted or clustered survey (>= 1); inflates the planning sizes
output_dir = None  # str | None: where results/ and figures/ go; None = reports/interactive/02_shared_incentives""",
         metadata={"tags": ["parameters"]}),
    code("""from IPython.display import Markdown, display

from alignment_stats import outputs, plots
from alignment_stats.incentives import run_incentives

out = outputs.resolve_output_dir(output_dir, "02_shared_incentives")
result = run_incentives(input, study, margin=margin, alpha=alpha, power=power, rounding=rounding,
                        design_effect=design_effect, codebook=codebook)
written = result.write(out)
print(f"{len(result.incentives)} agreement item(s) from {result.source}; margin ±{100 * margin:g} points, "
      f"alpha {alpha:g} per one-sided test, {result.method} method; {len(written)} result files written")"""),
    md("""## Intervals against the equivalence band

Group 1 minus group 2, in percentage points. Agreement within the margin is shown only when the thick
(1 − 2α) interval lies inside the shaded band; a difference is shown when the thin (1 − α) interval excludes 0.
An interval that straddles the band's edges is *undecidable*: the data are compatible with agreement and with
a sizeable difference alike."""),
    code("""figure = plots.equivalence_plot(result.incentives)
outputs.save_figure(figure, out, "equivalence")
figure"""),
    md("""## How many respondents would it take?

Group size per group (equal groups, log scale) needed to show agreement with the target power if both groups'
shares were truly equal, against the margin; dotted lines mark this study's group sizes."""),
    code("""figure = plots.required_n_plot(result.required_n_curve, margin=margin)
outputs.save_figure(figure, out, "required_n")
figure"""),
    md("""## The table

Shares, differences, interval limits (1 − 2α), `min_margin` (the smallest margin the data demonstrate) and
`power` (this study's power to show agreement within the margin if the shares were truly equal) in percent;
`n_required` is the size per group that would give the target power."""),
    code("""result.table"""),
    md("""## Does the verdict survive other group sizes, rounding rules and methods?

Every candidate group size, rounding rule and feasible count from the audit, then every TOST method (score,
Farrington–Manning, Wald, Agresti–Caffo) at the chosen counts. `robust` is False when any choice flips the
verdict."""),
    code("""result.sensitivity_table"""),
    md("""## Claims of the source articles"""),
    code("""result.verdicts"""),
    md("""## Reading

Generated from the results above."""),
    code("""display(Markdown(result.reading()))"""),
]

nb = new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "alignment-stats", "display_name": "Python (alignment_stats)", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
nbformat.write(nb, str(NOTEBOOKS / "02_shared_incentives.ipynb"))
print("written")
