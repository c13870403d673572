"""Builds notebooks/03_skills_gap.ipynb (cells only; run `make notebooks` afterwards to execute it).

The stored notebook is what users and nbval see; this script is how its cells
are written, so a change of structure is a change here, not hand-edited JSON.
"""
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PATH = NOTEBOOKS / "03_skills_gap.ipynb"

cells = [
    new_markdown_cell(
        "# 03 · Skills gap: where does marketers' expertise trail what they call important?\n"
        "\n"
        "Leapfrog's marketers call data tracking & analytics (60%), mobile & web (52%), SEM/SEO (43%) and\n"
        "omnichannel (35%) extremely important, yet fewer claim expertise in them (41%, 40%, 27%, 15%).\n"
        "Both figures come from the *same* respondents, so each gap is a paired comparison. Published\n"
        "shares give only the margins of each skill's 2×2 table (important × expert): how many say\n"
        "\"important\" but lack the expertise is only known to lie within the Fréchet bounds. Which gaps are\n"
        "real whatever that overlap is, which depend on it, and which skill trails most?\n"
        "With respondent-level data the table is observed and the analysis is exact."
    ),
    new_code_cell(
        "# Parameters (papermill injects overrides in a cell below this one)\n"
        "input = None  # str | None: figures CSV, counts table or response file; None = bundled figures, reconstructed by the audit\n"
        "codebook = None  # str | None: YAML codebook when input holds respondent-level answers (exact paired tables)\n"
        "study = None  # str | None: one study id; None = every study with paired importance/expertise items\n"
        "alpha = 0.05  # float: significance level; intervals are 1 - alpha\n"
        "ci = \"newcombe\"  # str: paired interval, newcombe (Newcombe 1998b method 10) | tango (Tango 1998 score)\n"
        "rounding = \"half_up\"  # str: rule assumed where a source does not say (half_up | half_even | truncate | ceil)\n"
        "seed = 2015  # int: seed of the ranking's parametric bootstrap\n"
        "output_dir = None  # str | None: where results/ and figures/ go; None = reports/interactive/03_skills_gap",
        metadata={"tags": ["parameters"]},
    ),
    new_code_cell(
        "from IPython.display import Markdown, display\n"
        "\n"
        "from alignment_stats import outputs\n"
        "from alignment_stats.plots import skills_bounds_plot, skills_dumbbell_plot\n"
        "from alignment_stats.skills import run_skills\n"
        "\n"
        "out = outputs.resolve_output_dir(output_dir, \"03_skills_gap\")\n"
        "result = run_skills(input, study, alpha=alpha, ci=ci, rounding=rounding, seed=seed, codebook=codebook)\n"
        "written = result.write(out)\n"
        "print(f\"{len(result.bounds)} skills from {result.source}; {result.basis}; paired CI {ci}, exact McNemar test\")"
    ),
    new_markdown_cell(
        "## Importance and expertise, skill by skill\n"
        "\n"
        "Share of respondents calling each skill extremely important and share claiming expertise in it,\n"
        "with Wilson intervals. A skill asked only one way (mass marketing: expertise only) is shown alone."
    ),
    new_code_cell(
        "figure = skills_dumbbell_plot(result.bounds, alpha=alpha)\n"
        "outputs.save_figure(figure, out, \"skills_dumbbell\")\n"
        "figure"
    ),
    new_markdown_cell(
        "## What the published margins identify\n"
        "\n"
        "The gap itself is fixed by the two shares; its precision is not. It depends on how many respondents\n"
        "answer the two questions differently, which can be anything between the Fréchet bounds. Every\n"
        "compatible table gives its own paired interval: the light band is their union, the dark band the\n"
        "part common to all. A filled dot is significant (exact McNemar test and interval) for every\n"
        "compatible table, a half-filled one for some, an open one for none."
    ),
    new_code_cell(
        "figure = skills_bounds_plot(result.bounds, alpha=alpha)\n"
        "outputs.save_figure(figure, out, \"skills_bounds\")\n"
        "figure"
    ),
    new_markdown_cell(
        "## The table\n"
        "\n"
        "Shares and gap in percent; `important_not_expert` is the range of respondents who call a skill\n"
        "important without claiming expertise; `ci_low_range` / `ci_high_range` the range of the interval's\n"
        "limits (percentage points) and `p_range` of the McNemar p-value over compatible tables."
    ),
    new_code_cell("result.table"),
    new_markdown_cell(
        "## Which skill trails most?\n"
        "\n"
        "The point gaps do not depend on the unknown tables, so ranking over compatible tables alone shows no\n"
        "uncertainty. Instead each skill's table is resampled (seeded parametric bootstrap): `share_first` and\n"
        "the 95% rank range use the most discordant compatible table, the largest sampling variance the\n"
        "margins allow; `share_first_least_discordant` the least discordant one. Gaps and shares in percent."
    ),
    new_code_cell("result.ranking_table"),
    new_markdown_cell("## Claims of the source article"),
    new_code_cell("result.verdicts"),
    new_markdown_cell("## Reading\n\nGenerated from the results above."),
    new_code_cell("display(Markdown(result.reading()))"),
]

nb = new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "alignment-stats", "display_name": "Python (alignment_stats)",
                             "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
nbformat.validate(nb)
nbformat.write(nb, PATH)
print(f"wrote {PATH}")
