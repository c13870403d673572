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
# # 03 · Skills gap: where does expertise trail what respondents call important?
#
# Studies report how many respondents call a skill extremely important and how many claim expertise in it. Both
# figures come from the *same* respondents, so each gap is a paired comparison. Published shares give only the
# margins of each skill's 2×2 table (important × expert): how many say "important" but lack the expertise is only
# known to lie within the Fréchet bounds. Which gaps are real whatever that overlap is, which depend on it, and
# which skill trails most? With respondent-level data the table is observed and the analysis is exact.


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
ci: str = 'newcombe'  # paired interval: newcombe, tango
test: str = 'exact'  # paired test (McNemar): exact, midp, mcnemar, mcnemar_cc
seed: int = 2015  # seed of the ranking's bootstrap
replicates: int = 10000  # bootstrap replicates of the ranking
output_dir: Optional[str] = None  # where results/ and figures/ go; None: reports/interactive/<notebook>


# %%
from IPython.display import Markdown, display

from alignment_stats.analyses import run_skills
from alignment_stats.present import figures, save_figure, write_results
from alignment_stats.present import skills as show

result = run_skills(input=input, codebook=codebook, studies=studies, claims=claims, rounding=rounding,
                    max_missing=max_missing, max_unclassified=max_unclassified, design=design,
                    study=study, alpha=alpha, ci=ci, test=test, seed=seed, replicates=replicates,
                    output_dir=output_dir)
written = write_results(result)
print(show.summary_line(result))


# %% [markdown]
# ## Importance and expertise, skill by skill
#
# Share of respondents calling each skill extremely important and share claiming expertise in it, with Wilson
# intervals. A skill asked only one way is shown alone.


# %%
figure = figures.skills_dumbbell_plot(result.table, alpha=alpha)
save_figure(result, figure, "skills_dumbbell")
figure


# %% [markdown]
# ## What the published margins identify
#
# The gap itself is fixed by the two shares; its precision is not. It depends on how many respondents answer the
# two questions differently, which can be anything between the Fréchet bounds. Every compatible table gives its
# own paired interval: the light band is their union, the dark band the part common to all. A filled dot is
# significant for every compatible table, a half-filled one for some, an open one for none.


# %%
figure = figures.skills_bounds_plot(result.table, alpha=alpha)
save_figure(result, figure, "skills_bounds")
figure


# %% [markdown]
# ## The table
#
# Shares and gap in percent; `important_not_expert` is the range of respondents who call a skill important
# without claiming expertise; `ci_low_range` / `ci_high_range` the range of the interval's limits (percentage
# points) and `p_range` of the p-value over compatible tables.


# %%
show.display_table(result)


# %% [markdown]
# ## Which skill trails most?
#
# The point gaps do not depend on the unknown tables, so ranking over compatible tables alone shows no
# uncertainty. Instead each skill's table is resampled (seeded parametric bootstrap): `share_first` and the 95%
# rank range use the most discordant compatible table, the largest sampling variance the margins allow;
# `share_first_least_discordant` the least discordant one. Gaps and shares in percent.


# %%
show.ranking_table(result)


# %% [markdown]
# ## Does the verdict depend on the rounding rule or group size?
#
# Every scenario of rounding rule, split and item base in which both measures share one base.


# %%
show.sensitivity_table(result)


# %% [markdown]
# ## Reading
#
# Generated from the results above, with the verdict on every gap claim.


# %%
display(Markdown(show.reading(result)))
