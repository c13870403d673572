"""The shared vocabulary: one spelling for every word the layers exchange.

Column names of the tidy tables, group ids, rounding-rule names, where a
group size comes from, the five verdict strings and the rule that combines
them, notebook statuses and exit codes. Every analysis, the report runner,
the index page, ``summary.json`` and ``alignment-stats diff`` use these
names; nothing else defines them.

Examples
--------
>>> combine_verdicts(["supported", "supported"])
'supported'
>>> combine_verdicts(["supported", "illustrative"])
'illustrative'
>>> comparison_verdict("supported", n_source="assumed")
'illustrative'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

__all__ = [
    "DataValidationError",
    "GROUPS",
    "GROUP_LABELS",
    "group_label",
    "ROUNDING_RULES",
    "SPECIFIC_RULES",
    "RoundingRule",
    "N_SOURCES",
    "NSource",
    "GIVEN_SIZES",
    "DESIGNS",
    "SUPPORTED",
    "NOT_SUPPORTED",
    "UNDECIDABLE",
    "ILLUSTRATIVE",
    "NOT_ASSESSABLE",
    "VERDICTS",
    "Verdict",
    "Outcome",
    "comparison_verdict",
    "combine_verdicts",
    "NOTEBOOK_STATUSES",
    "NotebookStatus",
    "EXIT_COMPLETE",
    "EXIT_FAILED",
    "EXIT_DIFFERENCES",
    "EXIT_USAGE",
    "EXIT_SIGNAL_BASE",
    "FIGURE_COLUMNS",
    "COUNT_COLUMNS",
    "WEIGHTED_COLUMNS",
    "SIZE_COLUMNS",
    "CLAIM_COLUMNS",
    "CLAIM_VERDICT_COLUMNS",
    "COMPARISON_COLUMNS",
    "PAIRED_COLUMNS",
]


class DataValidationError(ValueError):
    """An input breaks the rules; the message names the file, row and field, and the rule."""


# ---------------------------------------------------------------------------
# groups
# ---------------------------------------------------------------------------
#: Groups a published figure may describe: one function, the other, or both pooled.
GROUPS: tuple[str, ...] = ("marketing", "it", "all")
#: How the groups are named in tables and figures when a study names them no other way.
GROUP_LABELS: dict[str, str] = {"marketing": "Marketing", "it": "IT", "all": "All"}

# ---------------------------------------------------------------------------
# rounding
# ---------------------------------------------------------------------------
RoundingRule = Literal["half_up", "half_even", "truncate", "ceil", "unknown"]
#: How a source rounded its percentages. ``unknown`` means any of the four others.
ROUNDING_RULES: tuple[str, ...] = get_args(RoundingRule)
#: The rules a source may have used (``unknown`` is their union).
SPECIFIC_RULES: tuple[str, ...] = ROUNDING_RULES[:-1]

# ---------------------------------------------------------------------------
# where a group size comes from
# ---------------------------------------------------------------------------
NSource = Literal["published", "inferred", "observed", "override", "assumed"]
#: ``published``: the source gives it; ``inferred``: from a published total and
#: shares; ``observed``: counted in respondent-level data; ``override``: set by
#: the user (``n_overrides``); ``assumed``: neither published nor inferable, so
#: an analysis assumed one (``assumed_n``).
N_SOURCES: tuple[str, ...] = get_args(NSource)
#: Sizes a finding may rest on; ``override`` and ``assumed`` sizes make a result illustrative.
GIVEN_SIZES: tuple[str, ...] = ("published", "inferred", "observed")

#: How respondent-level data are counted: as a simple random sample, or with the codebook's weights.
DESIGNS: tuple[str, ...] = ("unweighted", "weighted")

# ---------------------------------------------------------------------------
# verdicts
# ---------------------------------------------------------------------------
SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
UNDECIDABLE = "undecidable with this sample"
#: The result rests on assumed (or user-set) group sizes, so it is no finding.
ILLUSTRATIVE = "illustrative"
#: No whole count fits a figure under the rounding rule in force.
NOT_ASSESSABLE = "not assessable"
Verdict = Literal[
    "supported", "not supported", "undecidable with this sample", "illustrative", "not assessable"
]
#: The five verdicts, exactly as every table, page and summary spells them.
VERDICTS: tuple[str, ...] = get_args(Verdict)
#: What a statistic says about one comparison before the data it rests on are considered.
Outcome = Literal["supported", "not supported", "undecidable with this sample"]


def comparison_verdict(outcome: str, n_source: str = "published", assessable: bool = True) -> str:
    """The verdict on one comparison a claim rests on.

    Parameters
    ----------
    outcome : {"supported", "not supported", "undecidable with this sample"}
        What the analysis's statistic says.
    n_source : str, default "published"
        Where the group sizes come from (:data:`N_SOURCES`; for two groups,
        the less reliable of the two).
    assessable : bool, default True
        False when no whole count fits a figure under the rounding rule in force.

    Returns
    -------
    str
        ``not assessable`` without a feasible count, ``illustrative`` on
        assumed or user-set sizes, else ``outcome``.

    Examples
    --------
    >>> comparison_verdict("not supported", "override")
    'illustrative'
    >>> comparison_verdict("supported", "inferred", assessable=False)
    'not assessable'
    """
    if outcome not in get_args(Outcome):
        raise ValueError(f"outcome: {outcome!r} is not one of {', '.join(get_args(Outcome))}")
    if n_source not in N_SOURCES:
        raise ValueError(f"n_source: {n_source!r} is not one of {', '.join(N_SOURCES)}")
    if not assessable:
        return NOT_ASSESSABLE
    if n_source not in GIVEN_SIZES:
        return ILLUSTRATIVE
    return outcome


def group_label(group: str, named: str | None = None) -> str:
    """How a group is named: the study's own name for it (capitalised), else :data:`GROUP_LABELS`, else its id.

    >>> group_label("it"), group_label("it", "IT leaders"), group_label("marketing", "marketers"), group_label("hr")
    ('IT', 'IT leaders', 'Marketers', 'hr')
    """
    if isinstance(named, str) and named.strip():
        named = " ".join(named.split())
        return named[0].upper() + named[1:]
    return GROUP_LABELS.get(group, group)


def combine_verdicts(verdicts: Iterable[str]) -> str:
    """A claim's verdict from the verdicts of the comparisons it rests on.

    Any ``not supported`` (on published, inferred or observed sizes) gives
    ``not supported``; else any ``not assessable`` gives ``not assessable``;
    else any ``illustrative`` gives ``illustrative``; all ``supported``
    (an intersection-union rule: no multiplicity adjustment needed) gives
    ``supported``; otherwise ``undecidable with this sample``. A claim with
    no comparison is ``not assessable``.

    Examples
    --------
    >>> combine_verdicts(["supported", "undecidable with this sample"])
    'undecidable with this sample'
    >>> combine_verdicts(["illustrative", "not supported"])
    'not supported'
    >>> combine_verdicts(["not assessable", "illustrative"])
    'not assessable'
    >>> combine_verdicts([])
    'not assessable'
    """
    verdicts = list(verdicts)
    unknown = [v for v in verdicts if v not in VERDICTS]
    if unknown:
        raise ValueError(f"verdict: {unknown[0]!r} is not one of {', '.join(map(repr, VERDICTS))}")
    for verdict in (NOT_SUPPORTED, NOT_ASSESSABLE, ILLUSTRATIVE):
        if verdict in verdicts:
            return verdict
    if not verdicts:
        return NOT_ASSESSABLE
    return SUPPORTED if all(v == SUPPORTED for v in verdicts) else UNDECIDABLE


# ---------------------------------------------------------------------------
# notebooks and commands
# ---------------------------------------------------------------------------
NotebookStatus = Literal["complete", "failed", "cached", "not_applicable"]
#: ``not_applicable`` is a status, never a verdict: the analysis does not apply to the input.
NOTEBOOK_STATUSES: tuple[str, ...] = get_args(NotebookStatus)

#: Every command: 0 complete (notebooks marked not applicable included).
EXIT_COMPLETE = 0
#: A notebook failed, or the operating system refused (disk full, no permission).
EXIT_FAILED = 1
#: ``diff``: the two runs differ (or a run's files cannot be read).
EXIT_DIFFERENCES = 1
#: Bad input or usage: nothing was run.
EXIT_USAGE = 2
#: After a signal the exit status is 128 + its number: 129 SIGHUP, 130 SIGINT, 143 SIGTERM.
EXIT_SIGNAL_BASE = 128

# ---------------------------------------------------------------------------
# tidy tables
# ---------------------------------------------------------------------------
#: One published figure (``sources``).
FIGURE_COLUMNS: tuple[str, ...] = (
    "study", "year", "item", "wording", "group", "group_label", "value", "low", "high", "unit",
    "rounding", "decimals", "n", "pair", "measure", "source", "source_kind", "quote", "note",
)
#: The counts table (``counts``): one row per (study, item, group), the counts every analysis reads.
#: ``rounding`` is the rule in force for the figure (its own, else the run's); ``n_source`` says
#: where ``n`` comes from. ``split`` numbers the chosen split of the study's sample: ``split_total``
#: respondents, of whom ``split_unclassified`` belong to no listed group and the rest are shared out to
#: the groups (``group_n`` this group's share); the figure's base ``n`` is ``group_n`` less
#: ``item_missing`` respondents who did not answer the item. ``wording`` and ``group_label`` are how the
#: study words the item and names the group (for sentences and figure labels; user text, escaped on pages).
COUNT_COLUMNS: tuple[str, ...] = (
    "study", "item", "group", "n", "k", "k_low", "k_high", "consistent", "n_source", "split", "group_n",
    "split_total", "split_unclassified", "item_missing", "value", "low", "high", "decimals",
    "rounding", "pair", "measure", "wording", "group_label",
)
#: Added to the counts table of weighted respondent data: the respondents answering (``n_raw``),
#: the weighted share (``p_hat``) and Kish's effective size (``n_eff``).
WEIGHTED_COLUMNS: tuple[str, ...] = ("n_raw", "p_hat", "n_eff")
#: Candidate group sizes (``counts.sizes``): one row per (study, rule, split, group, item base).
SIZE_COLUMNS: tuple[str, ...] = (
    "study", "rule", "split", "group", "group_n", "item_missing", "n", "split_total", "split_unclassified",
    "deviation", "n_source",
)
#: One row of a claims file: ``figure_a relation figure_b`` as ``item/group`` references.
CLAIM_COLUMNS: tuple[str, ...] = (
    "claim_id", "kind", "study", "source", "quote", "figure_a", "relation", "figure_b",
)
#: A claim's verdict, one row per claim (``results/claims.csv``).
CLAIM_VERDICT_COLUMNS: tuple[str, ...] = ("claim_id", "study", "quote", "verdict", "detail")
#: One comparison a claim rests on (``results/claim_comparisons.csv``, ``summary.json``):
#: ``ci_low``/``ci_high`` always the ``ci_level`` interval of ``diff``.
COMPARISON_COLUMNS: tuple[str, ...] = (
    "claim_id", "study", "item", "group1", "group2", "k1", "n1", "k2", "n2", "diff", "ci_low", "ci_high",
    "ci_level", "p_adjusted", "n_source", "verdict",
)
#: An observed paired 2x2 table (``a`` the importance item, ``b`` the expertise item).
PAIRED_COLUMNS: tuple[str, ...] = (
    "study", "pair", "group", "n", "both", "a_only", "b_only", "neither", "item_a", "item_b",
)
