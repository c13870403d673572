"""Figures (``present.figures``): closed figures, labels from the results, one-line messages for empty tables.

References: the labels are built here from the counts of the result tables (hand counts in the comments); an
empty table must give one line of text and no matplotlib warning (issue 15 item 7), checked with warnings
turned into errors and by drawing the figure.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from alignment_stats.present import figures, perception


def _one_line_message(fig):
    assert not plt.fignum_exists(fig.number)
    fig.canvas.draw()
    texts = [t for ax in fig.axes for t in ax.texts]
    assert len(fig.axes) == 1 and len(texts) == 1
    text = texts[0].get_text()
    assert text.strip() and "\n" not in text
    return text


def test_empty_tables_give_a_one_line_message(runs):
    gaps, agreement, skills, audit = runs("perception"), runs("incentives"), runs("skills"), runs("audit")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = [
            figures.forest_plot(gaps.table.iloc[0:0]),
            figures.forest_plot(gaps.table[gaps.table["status"] != "ok"]),  # only untested rows
            figures.significance_by_size_plot(gaps.size_grid.iloc[0:0], []),
            figures.equivalence_plot(agreement.table.iloc[0:0]),
            figures.required_n_plot(agreement.required_n.iloc[0:0]),
            figures.skills_dumbbell_plot(skills.table.iloc[0:0]),
            figures.skills_bounds_plot(skills.table[skills.table["gap"].isna()]),  # mass marketing only
            figures.feasibility_heatmap(audit.grid.iloc[0:0]),
            figures.message_figure("Nothing to show."),
        ]
        for fig in made:
            _one_line_message(fig)


def test_empty_benchmark_table_gives_a_one_line_message(runs, tmp_path):
    path = tmp_path / "none.csv"
    path.write_text("study,item,group,n,k\ngamma_2023,own_item,marketing,10,3\n", encoding="utf-8")
    result = runs("benchmark", input=str(path), codebook=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _one_line_message(figures.benchmark_dot_plot(result.table)).startswith("Nothing compared")


def test_a_study_without_any_test_draws_no_empty_plot(runs):
    # under truncation Leapfrog is not assessable; its forest plot is the message, not empty axes
    result = runs("perception", rounding="truncate", study="leapfrog_2015")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _one_line_message(figures.forest_plot(result.table))


def test_plots_return_closed_figures_with_labels(runs):
    agreement, skills, gaps = runs("incentives"), runs("skills"), runs("perception")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = {
            "equivalence": figures.equivalence_plot(agreement.table),
            "required_n": figures.required_n_plot(agreement.required_n, margin=0.10),
            "dumbbell": figures.skills_dumbbell_plot(skills.table),
            "bounds": figures.skills_bounds_plot(skills.table),
            "forest": figures.forest_plot(gaps.table),
            "by_size": figures.significance_by_size_plot(gaps.size_grid, perception.size_labels(gaps)),
            "heatmap": figures.feasibility_heatmap(runs("audit").grid, runs("audit").chosen_map),
        }
    for name, fig in made.items():
        assert not plt.fignum_exists(fig.number), name
        assert fig.axes, name
    labels = [t.get_text() for t in made["equivalence"].axes[0].get_yticklabels()]
    # 63% of 106 -> 67; 63% of 24 -> 15 (15/24 = 62.5%); the groups as studies.yaml names them, the item's wording
    wording, counts = labels[0].split("\n")
    assert counts == "Marketing executives 67/106 vs IT executives 15/24"
    assert wording.rstrip("…") and "do not share incentives or metrics for improved alignment".startswith(
        wording.rstrip("…"))
    dumbbell = [t.get_text() for t in made["dumbbell"].axes[0].get_yticklabels()]
    bounds = [t.get_text() for t in made["bounds"].axes[0].get_yticklabels()]
    # mass marketing has no gap: in the dumbbell plot (expertise alone), not in the bounds plot
    assert "omnichannel" in dumbbell and "omnichannel" in bounds
    assert "mass marketing" in dumbbell and "mass marketing" not in bounds
    forest = [t.get_text() for t in made["forest"].axes[0].get_yticklabels()]
    tested = gaps.table[gaps.table["status"] == "ok"]
    assert len(forest) == len(tested)
    assert "leapfrog_2015 · consider the marketing-IT relationship very collaborative and productive" in [
        f.replace("\n", " ") for f in forest]
    legend = [t.get_text() for t in made["by_size"].axes[0].get_legend().get_texts()]
    assert legend == ["accenture_2014 · bypass_it", "accenture_2014 · want_alignment",
                      "accenture_2014 · relationship_improved"]
