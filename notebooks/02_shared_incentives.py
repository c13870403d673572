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
# # 02 · Shared incentives: do both groups really agree?
#
# Articles read equal published shares ("63% of both marketing and IT") as agreement. But a difference that is
# not significant is not evidence of agreement: a small group can hide a large difference. Here agreement is
# tested directly, as **equivalence within a margin** (two one-sided tests, TOST), and the notebook says what
# the data can and cannot show: the smallest margin they demonstrate and how many respondents a study would need
# to demonstrate the chosen one. The agreement items are the agreement claims of the input's studies, the items
# named in `agreement_items`, or (respondent data) every item asked of both groups.


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
margin: float = 0.1  # equivalence margin as a proportion (0.10: within +-10 points counts as agreement)
alpha: float = 0.05  # level of each one-sided test; the equivalence interval is 1 - 2 alpha
power: float = 0.8  # target power for the group size needed
test: str = 'score'  # equivalence test (TOST): score, farrington-manning, wald, agresti-caffo
design_effect: float = 1.0  # design effect of a weighted or clustered survey; inflates the planning sizes
agreement_items: Optional[list[str]] = None  # item ids to test for agreement; None: the agreement claims' items (respondent data: every item asked of both groups)
output_dir: Optional[str] = None  # where results/ and figures/ go; None: reports/interactive/<notebook>


# %%
from IPython.display import Markdown, display

from alignment_stats.analyses import run_incentives
from alignment_stats.present import figures, save_figure, write_results
from alignment_stats.present import incentives as show

result = run_incentives(input=input, codebook=codebook, studies=studies, claims=claims, rounding=rounding,
                        max_missing=max_missing, max_unclassified=max_unclassified, design=design,
                        study=study, margin=margin, alpha=alpha, power=power, test=test,
                        design_effect=design_effect, agreement_items=agreement_items,
                        output_dir=output_dir)
written = write_results(result)
print(show.summary_line(result))


# %% [markdown]
# ## Intervals against the equivalence band
#
# The first group minus the second, in percentage points. Agreement within the margin is shown only when the
# thick (1 − 2α) interval lies inside the shaded band; a difference is shown when the thin (1 − α) interval
# excludes 0. An interval that straddles the band's edges is *undecidable*.


# %%
figure = figures.equivalence_plot(result.table)
save_figure(result, figure, "equivalence")
figure


# %% [markdown]
# ## How many respondents would it take?
#
# Group size per group (equal groups, log scale) needed to show agreement with the target power if both groups'
# shares were truly equal, against the margin; dotted lines mark this study's group sizes.


# %%
figure = figures.required_n_plot(result.required_n, margin=margin)
save_figure(result, figure, "required_n")
figure


# %% [markdown]
# ## The table
#
# Shares, differences, the 1 − 2α interval, `min_margin` (the smallest margin the data demonstrate) and `power`
# (this study's power to show agreement within the margin if the shares were truly equal) in percent;
# `n_required` is the size per group that would give the target power.


# %%
show.display_table(result)


# %% [markdown]
# ## Does the finding survive other group sizes, rounding rules and methods?
#
# Every scenario of rounding rule, split, item base and feasible count, then every TOST method at the chosen
# counts. `robust` is False when any choice changes the finding.


# %%
show.sensitivity_table(result)


# %% [markdown]
# ## Reading
#
# Generated from the results above, with the verdict on every agreement claim.


# %%
display(Markdown(show.reading(result)))
