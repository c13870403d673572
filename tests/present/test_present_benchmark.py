"""The benchmark comparison in words, tables and figures (``present.benchmark``), and the synthetic banner.

References: counts and published figures by hand (in the comments); the
codebooks' own ``synthetic`` flag read with PyYAML; Fisher p-values from
scipy for which positions are expected.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml
from analysis_runs import SURVEY_CODEBOOK, survey_input

from alignment_stats.analyses.benchmark import compare_to_benchmark
from alignment_stats.analyses.comparisons import figure_counts
from alignment_stats.config import DEMO_CODEBOOK
from alignment_stats.present import benchmark, figures, write_results


@pytest.fixture(scope="module")
def bench(bundle):
    counts = figure_counts(bundle)
    return counts[counts["study"] == "leapfrog_2015"]


def _ours(rows, study="acme_2025"):
    return pd.DataFrame([{"study": study, "item": i, "group": g, "n": n, "k": k, "p": k / n} for i, g, k, n in rows])


def test_row_sentences(bench):
    res = compare_to_benchmark(_ours([("very_collaborative", "marketing", 50, 100),
                                      ("omnichannel_important", "marketing", 380, 1000),
                                      ("omnichannel_confidence", "it", 10, 25)]), bench, "leapfrog_2015")
    words = [benchmark.row_sentence(r, 0.05) for r in res.itertuples()]
    # 50/100 vs 32/106 = 30.2% (published 30%)
    assert words[0].startswith("you 50/100 (50.0%) vs leapfrog_2015 32/106 (30.2%, published 30%): +19.8 points")
    assert "above the benchmark" in words[0]
    # "about half": 45-55%, counts 48..58, some of which make 38% of 1000 significantly lower
    assert benchmark.published_figure(next(res.iloc[[1]].itertuples())) == "45-55%"
    assert "over the feasible benchmark counts 48-58 it reads below / indistinguishable" in words[1]
    # 40% of 24 IT executives fits no count
    assert words[2] == ("leapfrog_2015 publishes 40% here, but no whole count of its group fits it (see the data "
                        "audit): not compared")


def test_synthetic_banner_follows_the_codebook(runs):
    assert yaml.safe_load(DEMO_CODEBOOK.read_text(encoding="utf-8"))["synthetic"] is True
    assert "synthetic" not in yaml.safe_load(SURVEY_CODEBOOK.read_text(encoding="utf-8"))
    demo = runs("benchmark")
    assert "SYNTHETIC" in benchmark.synthetic_banner(demo) and benchmark.label(demo).endswith("(SYNTHETIC)")
    assert "**Synthetic data**" in benchmark.reading(demo)
    own = runs("benchmark", **survey_input())
    assert benchmark.synthetic_banner(own) == ""
    assert "SYNTHETIC" not in benchmark.reading(own) and "Synthetic" not in benchmark.reading(own)
    assert benchmark.label(own) == "pulse_2024"


def test_several_studies_in_words(tmp_path, runs):
    counts = pd.concat([
        _ours([("very_collaborative", "marketing", 50, 100), ("very_collaborative", "it", 5, 40),
               ("improved_alignment", "marketing", 8, 90)], study="acme_2025"),
        _ours([("very_collaborative", "marketing", 10, 100), ("expertise_omnichannel", "marketing", 40, 100)],
              study="beta_2024"),
        _ours([("own_item", "marketing", 3, 10)], study="gamma_2023"),
    ]).drop(columns="p")
    path = tmp_path / "several.csv"
    counts.to_csv(path, index=False)
    result = runs("benchmark", input=str(path), codebook=None)
    reading = benchmark.reading(result)
    assert "- Not compared: gamma\\_2023 shares no item/group with a count of **leapfrog\\_2015**." in reading
    assert re.search(r"\*\*acme\\_2025\*\* against \*\*leapfrog\\_2015\*\*: 3 item/group figure(s|\(s\)) compared",
                     reading)
    assert "holm adjustment over 2 tests within this study" in reading
    assert "**beta\\_2024 · very\\_collaborative · Marketing**" in benchmark.verdicts_markdown(result)
    labels = [t.get_text() for t in figures.benchmark_dot_plot(result.table).axes[0].get_yticklabels()]
    assert labels[0] == "acme_2025 · very collaborative · Marketing" and len(labels) == 5


def test_nothing_compared_says_so(tmp_path, runs):
    path = tmp_path / "none.csv"
    _ours([("own_item", "marketing", 3, 10)], study="gamma_2023").drop(columns="p").to_csv(path, index=False)
    result = runs("benchmark", input=str(path), codebook=None)
    assert benchmark.verdicts_markdown(result) == "- Nothing compared."
    assert benchmark.display_table(result).iloc[0, 0] == "Nothing compared."
    fig = figures.benchmark_dot_plot(result.table, note="nothing to compare with leapfrog_2015")
    assert not plt.fignum_exists(fig.number)
    assert fig.axes[0].texts[0].get_text() == "nothing to compare with leapfrog_2015"


def test_demo_tables_and_files(runs):
    result = runs("benchmark")
    paired = benchmark.paired_table(result).set_index("pair").loc["data_tracking_analytics"]
    # data tracking: 64 important, 43 expert of 106 -> 60.4% and 40.6%
    assert (paired["importance"], paired["expertise"]) == (round(100 * 64 / 106, 1), round(100 * 43 / 106, 1))
    labels = [t.get_text() for t in figures.benchmark_dot_plot(result.table).axes[0].get_yticklabels()]
    # the item's wording and the group's name as the codebook gives them (wrapped onto two lines)
    book = yaml.safe_load(DEMO_CODEBOOK.read_text(encoding="utf-8"))
    wording = book["items"]["very_collaborative"]["wording"]
    assert len(labels) == 19 and labels[0].replace("\n", " ") == f"{wording} · Marketing"
    written = write_results(result)
    assert sorted(p.name for p in written) == ["benchmark_comparison.csv", "paired_tables.csv", "sensitivity.csv",
                                               "survey_counts.csv"]
    back = pd.read_csv(written[0].parent / "benchmark_comparison.csv")
    assert back["position"].tolist() == result.table["position"].tolist()
    assert back["benchmark_figure"].iloc[0] == "30%"
