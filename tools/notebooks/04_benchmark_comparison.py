"""Builds notebooks/04_benchmark_comparison.ipynb (cells only; run `make notebooks` afterwards to execute it).

The stored notebook is what users and nbval see; this script is how its cells
are written, so a change of structure is a change here, not hand-edited JSON.
"""
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = [
    new_markdown_cell(
        "# 04 · Benchmark your organisation: how do your marketing and IT staff compare?\n\n"
        "Run the benchmark's questions in your own organisation (or field a later wave), and compare the answers "
        "item by item with the published figures: where are you **above**, **below**, or **indistinguishable** "
        "from the benchmark? Your survey and the benchmark are two independent samples; the benchmark's side uses "
        "the counts the data audit (notebook 00) reconstructed from its percentages and group sizes, so its own "
        "uncertainty is in every interval, and a figure that several counts fit is compared over all of them.\n\n"
        "> **The default input is SYNTHETIC.** `data/raw/demo/leapfrog_demo_survey.csv` holds 130 made-up "
        "respondents generated to reproduce the Leapfrog 2015 counts (see `data/raw/demo/README.md`); it shows "
        "the workflow and is not evidence. Point `input` and `codebook` at your own file (one row per respondent: "
        "CSV, Excel, SPSS or Parquet) and its YAML codebook."
    ),
    new_code_cell(
        "# Parameters (papermill injects overrides in a cell below this one)\n"
        'input = "data/raw/demo/leapfrog_demo_survey.csv"  # str: your survey, one row per respondent (.csv, .xlsx, '
        ".sav, .parquet), or a counts table; default: the SYNTHETIC demo survey\n"
        'codebook = "data/raw/demo/leapfrog_demo_codebook.yaml"  # str | None: YAML codebook of the response file; '
        "None = input is a counts table\n"
        'benchmark_study = "leapfrog_2015"  # str: the bundled study to compare with\n'
        "alpha = 0.05  # float: significance level; intervals are 1 - alpha\n"
        'ci = "newcombe"  # str: newcombe | agresti-caffo | score | wald\n'
        'test = "fisher"  # str: fisher | boschloo | z | chi2\n'
        'adjust = "holm"  # str: holm | fdr_bh | bonferroni | none (over the compared items of each study)\n'
        "study = None  # str | None: compare only this study of input; None = every study sharing items with the "
        "benchmark, each adjusted on its own\n"
        "weighted = False  # bool: weight respondents by the codebook's weight column (Kish effective sizes)\n"
        "output_dir = None  # str | None: where results/ and figures/ go; None = "
        "reports/interactive/04_benchmark_comparison",
        metadata={"tags": ["parameters"]},
    ),
    new_code_cell(
        "from IPython.display import Markdown, display\n\n"
        "from alignment_stats import outputs, plots\n"
        "from alignment_stats.benchmark import run_benchmark\n\n"
        'out = outputs.resolve_output_dir(output_dir, "04_benchmark_comparison")\n'
        "result = run_benchmark(input, codebook, benchmark_study, alpha=alpha, ci=ci, test=test, adjust=adjust,\n"
        "                       weighted=weighted, study=study)\n"
        "written = result.write(out)\n"
        'print(f"{len(result.comparison)} item/group figures of {len(result.compared_studies)} study(ies) from "\n'
        '      f"{result.source} against {benchmark_study}; "\n'
        '      f"CI {ci}, test {test}, adjustment {adjust}, weighted: {result.weighted}")'
    ),
    new_markdown_cell(
        "## Your survey, counted\n\n"
        "The codebook turns each answer into yes / no / missing; `k` of `n` respondents who answered said yes. "
        "Weighted, `n` is the rounded Kish effective sample size (see `alignment_stats.survey`)."
    ),
    new_code_cell('result.counts[["item", "group", "k", "n", "value", "pair", "measure", "n_reason"]].round(1)'),
    new_markdown_cell(
        "## Your shares against the benchmark\n\n"
        "Circles: your survey; squares: the benchmark; lines: Wilson intervals; the pale band spans the shares "
        "of every count the benchmark's published figure allows. Filled markers: a significant difference after "
        "adjustment. When no study of the input shares an item with the benchmark, the figure says so instead."
    ),
    new_code_cell(
        'figure = plots.benchmark_dot_plot(result.comparison, alpha=alpha, label=result.label,\n'
        '                                 note=result.nothing_compared)\n'
        'outputs.save_figure(figure, out, "benchmark_dot_plot")\n'
        "figure"
    ),
    new_markdown_cell(
        "## The table\n\n"
        "Shares and differences (yours minus the benchmark's) in percent; `p_adjusted` after the multiplicity "
        "adjustment over the compared rows of each study (each study is its own family); `robust` is False when another feasible benchmark count would change "
        "the position."
    ),
    new_code_cell("result.table"),
    new_markdown_cell("## Verdicts in words"),
    new_code_cell("display(Markdown(result.verdicts_markdown()))"),
    new_markdown_cell(
        "## The skills gap, identified\n\n"
        "Published figures give only the margins of importance and expertise (how many call a skill extremely "
        "important, how many have expertise), so who is in both groups is bounded, not known. Respondent-level "
        "answers give the whole 2×2 table: `a_only` call the skill important but lack the expertise."
    ),
    new_code_cell("result.paired_table"),
    new_markdown_cell("## Reading\n\nGenerated from the results above."),
    new_code_cell("display(Markdown(result.reading()))"),
]
nb = new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "alignment-stats", "display_name": "Python (alignment_stats)", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
nbformat.write(nb, str(NOTEBOOKS / "04_benchmark_comparison.ipynb"))
print("written")
