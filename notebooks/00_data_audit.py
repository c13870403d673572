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
# # 00 · Data audit: are the published figures even consistent?
#
# Studies publish percentages, not counts. Before any test we ask, for every figure: **which whole counts and
# group sizes could have produced it**, and do the figures of one study fit together? A GRIM-style check
# (Brown & Heathers 2017): with 25 respondents only multiples of 4% exist, so a reported 13% cannot come from
# 25 people. Where a study publishes only a total and the groups' shares, the group sizes are chosen *jointly*:
# they must add up to the total. Nothing found here is "fixed": an impossible figure stays flagged, and the
# counts table records which group size was used and where it comes from.


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
decimals: Optional[int] = None  # decimal places the percentages carry; None: as written
grid_reach: int = 4  # the heatmap shows sizes this far either side of each candidate
output_dir: Optional[str] = None  # where results/ and figures/ go; None: reports/interactive/<notebook>


# %%
from IPython.display import Markdown, display

from alignment_stats.analyses import run_audit
from alignment_stats.present import audit as show
from alignment_stats.present import figures, save_figure, write_results

result = run_audit(input=input, codebook=codebook, studies=studies, claims=claims, rounding=rounding,
                   max_missing=max_missing, max_unclassified=max_unclassified, design=design,
                   decimals=decimals, grid_reach=grid_reach, output_dir=output_dir)
written = write_results(result)
print(show.describe(result))


# %% [markdown]
# ## The published figures
#
# One row per figure, with its source (seed article or URL). Vague wordings ("one third") are intervals
# `low`–`high`, never points.


# %%
show.figures_table(result)


# %% [markdown]
# ## Which group sizes fit?
#
# Each panel is a group whose size must be inferred or checked: rows are its figures, columns candidate group
# sizes, dark cells sizes at which some whole count gives exactly the published figure. The outlined column is
# the size used.


# %%
figure = figures.feasibility_heatmap(result.grid, chosen=result.chosen_map)
save_figure(result, figure, "feasibility_heatmap")
figure


# %% [markdown]
# ## Group sizes used, and why


# %%
show.sizes_table(result)


# %% [markdown]
# ## Does the conclusion depend on the rounding rule?
#
# Number of figures that no whole count can produce, per group and rounding rule (each rule with its own best
# split of the sample).


# %%
show.sensitivity_table(result)


# %% [markdown]
# ## Cross-figure checks
#
# Composition, group sizes, pooled figures, nested figures and two reports of the same figure.


# %%
show.cross_checks(result)


# %% [markdown]
# ## Counts behind every figure
#
# The counts every analysis reads, built once per input into `data/processed/<key>/`.


# %%
show.counts_table(result)


# %% [markdown]
# ## Findings
#
# Generated from the checks above.


# %%
display(Markdown(show.reading(result)))
