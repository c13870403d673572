# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (alignment_stats)
#     language: python
#     name: alignment-stats
# ---

# %% [markdown]
# # 04 · Benchmark your organisation: how do your marketing and IT staff compare?
#
# Run the benchmark's questions in your own organisation (or field a later wave), and compare the answers item
# by item with the published figures: where are you **above**, **below**, or **indistinguishable** from the
# benchmark? Your survey and the benchmark are two independent samples; the benchmark's side uses the counts the
# data audit (notebook 00) reconstructed from its percentages and group sizes, so its own uncertainty is in
# every interval, and a figure that several counts fit is compared over all of them. Point `input` and
# `codebook` at your own file (one row per respondent: CSV, Excel, SPSS or Parquet) and its YAML codebook; the
# default is a synthetic demo survey.


# %% tags=["parameters"]
# Parameters: papermill injects overrides in a cell below this one
from typing import Optional
input: Optional[str] = 'data/raw/demo/leapfrog_demo_survey.csv'  # your survey (one row per respondent) or counts table; default: the SYNTHETIC demo survey
codebook: Optional[str] = 'data/raw/demo/leapfrog_demo_codebook.yaml'  # YAML codebook of the response file; None: input is a counts table or figures
studies: Optional[str] = None  # studies.yaml of a figures input; None: the one beside it, else the bundled one
claims: Optional[str] = None  # claims file to judge; None: the bundled claims of the input's studies
rounding: str = 'half_up'  # rule assumed where a source does not say: half_up, half_even, truncate, ceil or unknown (any of them)
max_missing: int = 1  # item non-responses an inferred group base may have
max_unclassified: int = 0  # respondents of a published total that may belong to no listed group
design: str = 'unweighted'  # respondent data: unweighted, or weighted by the codebook's weight column
study: Optional[str] = None  # one study id of the input; None: every study it applies to
benchmark_study: str = 'leapfrog_2015'  # the bundled study to compare with
alpha: float = 0.05  # significance level; intervals are 1 - alpha
ci: str = 'newcombe'  # interval for the difference: newcombe, agresti-caffo, wald, score
test: str = 'fisher'  # test of equal shares: fisher, boschloo, z, chi2, fisher_midp, chi2_yates, boschloo_fisher
adjust: str = 'holm'  # multiplicity adjustment over each study's items: holm, fdr_bh, bonferroni, none
output_dir: Optional[str] = None  # where results/ and figures/ go; None: reports/interactive/<notebook>


# %%
from IPython.display import Markdown, display

from alignment_stats.analyses import run_benchmark
from alignment_stats.present import benchmark as show
from alignment_stats.present import figures, save_figure, write_results

result = run_benchmark(input=input, codebook=codebook, studies=studies, claims=claims, rounding=rounding,
                       max_missing=max_missing, max_unclassified=max_unclassified, design=design,
                       study=study, benchmark_study=benchmark_study, alpha=alpha, ci=ci, test=test,
                       adjust=adjust, output_dir=output_dir)
written = write_results(result)
display(Markdown(show.synthetic_banner(result)))
print(show.summary_line(result))


# %% [markdown]
# ## Your survey, counted
#
# The codebook turns each answer into yes / no / missing; `k` of `n` respondents who answered said yes. Weighted,
# `value` is the weighted share, `n_raw` the respondents who answered and `n_eff` Kish's effective sample size.


# %%
show.counts_table(result)


# %% [markdown]
# ## Your shares against the benchmark
#
# Circles: your survey; squares: the benchmark; lines: Wilson intervals; the pale band spans the shares of every
# count the benchmark's published figure allows. Filled markers: a significant difference after adjustment.


# %%
figure = figures.benchmark_dot_plot(result.table, alpha=alpha, ours=show.label(result))
save_figure(result, figure, "benchmark_dot_plot")
figure


# %% [markdown]
# ## The table
#
# Shares and differences (yours minus the benchmark's) in percent; `p_adjusted` after the multiplicity
# adjustment over the compared rows of each study; `robust` is False when another feasible benchmark count
# would change the position.


# %%
show.display_table(result)


# %% [markdown]
# ## Verdicts in words


# %%
display(Markdown(show.verdicts_markdown(result)))


# %% [markdown]
# ## The skills gap, identified
#
# Published figures give only the margins of importance and expertise, so who is in both groups is bounded, not
# known. Respondent-level answers give the whole 2×2 table: `a_only` call the skill important but lack the
# expertise.


# %%
show.paired_table(result)


# %% [markdown]
# ## Reading
#
# Generated from the results above.


# %%
display(Markdown(show.reading(result)))
