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
# # 01 · Perception gap: do two groups see the same thing differently?
#
# Articles report that one group (say marketers) is far more positive than another (IT leaders). How big is each
# gap, how uncertain, and would a study of this size have seen it at all? Counts come from the data audit
# (notebook 00). Where nothing publishes a study's group sizes, the comparison runs under an assumed size, its
# verdicts are *illustrative*, and the notebook shows at which group size the published gap would become
# significant.


# %% tags=["parameters"]
# Parameters: papermill injects overrides in a cell below this one
from typing import Optional
input: Optional[str] = None  # figures CSV, counts table or response file; None: the bundled benchmark figures
codebook: Optional[str] = None  # YAML codebook when input holds one row per respondent
studies: Optional[str] = None  # studies.yaml of a figures input; None: the one beside it, else the bundled one
claims: Optional[str] = None  # claims file to judge; None: the bundled claims of the input's studies
rounding: str = 'half_up'  # rule assumed where a source does not say: half_up, half_even, truncate, ceil or unknown (any of them)
max_missing: int = 1  # item non-responses an inferred group base may have
max_unclassified: int = 0  # respondents of a published total that may belong to no listed group
design: str = 'unweighted'  # respondent data: unweighted, or weighted by the codebook's weight column
study: Optional[str] = None  # one study id of the input; None: every study it applies to
alpha: float = 0.05  # significance level; intervals are 1 - alpha
ci: str = 'newcombe'  # interval for the difference: newcombe, agresti-caffo, wald, score
test: str = 'fisher'  # test of equal shares: fisher, boschloo, z, chi2, fisher_midp, chi2_yates, boschloo_fisher
adjust: str = 'holm'  # multiplicity adjustment within each study: holm, fdr_bh, bonferroni, none
power: float = 0.8  # power for the minimal detectable difference
assumed_n: Optional[int] = 100  # group size assumed where nothing publishes one (results are illustrative); None: leave untested
n_overrides: Optional[str] = None  # group sizes to use instead, e.g. accenture_2014/it:500, accenture_2014/marketing:647
crosstab_study: Optional[str] = None  # study shown as a crosstab; None: the one with most items compared
convention: str = 'spss'  # significance letters of the crosstab: spss or q
output_dir: Optional[str] = None  # where results/ and figures/ go; None: reports/interactive/<notebook>


# %%
from IPython.display import Markdown, display

from alignment_stats.analyses import run_perception
from alignment_stats.present import crosstab, figures, save_figure, write_results
from alignment_stats.present import perception as show

result = run_perception(input=input, codebook=codebook, studies=studies, claims=claims, rounding=rounding,
                        max_missing=max_missing, max_unclassified=max_unclassified, design=design,
                        study=study, alpha=alpha, ci=ci, test=test, adjust=adjust, power=power,
                        assumed_n=assumed_n, n_overrides=n_overrides, crosstab_study=crosstab_study,
                        convention=convention, output_dir=output_dir)
written = write_results(result)
print(show.summary_line(result))


# %% [markdown]
# ## Differences with confidence intervals
#
# The first group minus the second, in percentage points. Filled markers: significant after adjustment within the
# study; grey: group sizes assumed or set by hand.


# %%
figure = figures.forest_plot(result.table, alpha=alpha)
save_figure(result, figure, "forest_plot")
figure


# %% [markdown]
# ## The table
#
# Shares and differences in percent; `mdd` is the smallest gap (same direction) this sample detects with the
# chosen power by the chosen test; `n_significant` the smallest equal group size from which on the published gap
# is significant by the same test, alpha and adjustment; `status` says why an item was not tested.


# %%
show.display_table(result)


# %% [markdown]
# ## Verdicts in words


# %%
display(Markdown(show.verdicts_markdown(result)))


# %% [markdown]
# ## Does the conclusion survive other choices?
#
# Every scenario of rounding rule, split of the sample, item base and feasible count; then every interval method
# and multiplicity adjustment. `robust` is False when any choice flips significance.


# %%
show.sensitivity_table(result)


# %% [markdown]
# ## Studies without published group sizes
#
# The published gap's interval at each assumed size per group: where the band clears zero, the gap would be
# significant.


# %%
figure = figures.significance_by_size_plot(result.size_grid, show.size_labels(result))
save_figure(result, figure, "significance_by_size")
figure


# %% [markdown]
# ## Crosstab view
#
# As in SPSS Custom Tables (`spss`: Bonferroni-adjusted column proportions, letters at alpha) or Q (`q`: FDR,
# upper case at 0.001, lower case at 0.05): a letter marks the columns a cell is significantly higher than.


# %%
crosstab.view(result)


# %% [markdown]
# ## Reading
#
# Generated from the results above, with the verdict on every claim of the source articles.


# %%
display(Markdown(show.reading(result)))
