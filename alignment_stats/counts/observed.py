"""Respondent-level answers counted: the counts table, and the observed paired tables.

From :func:`alignment_stats.sources.read_responses`, every (item, group) with
at least one answer gets ``n`` (respondents who answered) and ``k`` (those
whose answer counts as yes), ``n_source = "observed"``; ``group_n`` is the
group's respondents in the file and ``item_missing`` those of them without an
answer to the item. Every pair of importance/expertise items gets its
*observed* 2x2 table, which published figures cannot give (there only the
margins are known and the table is bounded, not identified).

Weights
-------
With the ``weighted`` design the weighted share ``p_hat = sum(w * yes) /
sum(w)`` over the respondents who answered is the estimate (column
``p_hat``; ``value = 100 * p_hat``), beside the unweighted base ``n_raw`` and
Kish's effective sample size ``n_eff = (sum w)^2 / sum(w^2)``. Exact tests
need whole numbers, so ``n = round(n_eff)`` and ``k = round(p_hat * n_eff)``
(half up) are carried as well; analyses show ``p_hat`` and compute intervals
from ``p_hat`` and ``n_eff``, never from ``k / n``. Weighted paired tables
hold the effective counts (margins rounded like the items, the overlap kept
within the bounds they allow) and the weighted shares ``p_hat_a``,
``p_hat_b``.

References
----------
.. [1] Kish, L. (1965). Survey Sampling. Wiley, section 11.7 (effective
   sample size ``(sum w)^2 / sum w^2``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import COUNT_COLUMNS, PAIRED_COLUMNS, WEIGHTED_COLUMNS, DataValidationError, group_label
from ..sources.codebook import Codebook
from ..sources.responses import Responses, read_responses

__all__ = ["ObservedCounts", "count_responses", "load_responses"]

_CHUNK = 1 << 18  # respondents tabulated at once for the paired tables
_MEASURES = ("importance", "expertise")  # a = importance, b = expertise


def _half_up(x: np.ndarray | float) -> np.ndarray:
    return np.floor(np.asarray(x, dtype=float) + 0.5 + 1e-9).astype(np.int64)


@dataclass(frozen=True)
class ObservedCounts:
    """What :func:`count_responses` returns.

    ``counts``: the counts table (:data:`~alignment_stats.schema.COUNT_COLUMNS`,
    plus :data:`~alignment_stats.schema.WEIGHTED_COLUMNS` when weighted);
    ``paired``: the observed 2x2 tables (:data:`~alignment_stats.schema.PAIRED_COLUMNS`),
    None without paired items.
    """

    counts: pd.DataFrame
    paired: pd.DataFrame | None
    n_respondents: int
    n_excluded: int
    study: str
    weighted: bool


def count_responses(responses: Responses) -> ObservedCounts:
    """Count every item's answers per group (weighted when the responses carry weights).

    Examples
    --------
    >>> from alignment_stats.config import DEMO_CODEBOOK, DEMO_SURVEY
    >>> observed = count_responses(read_responses(DEMO_SURVEY, DEMO_CODEBOOK))
    >>> rows = observed.counts.query("item == 'very_collaborative'")
    >>> print(rows[["group", "n", "k", "value", "n_source"]].round(2).to_string(index=False))
        group   n  k  value n_source
    marketing 106 32  30.19 observed
           it  24  3  12.50 observed
    >>> print(observed.paired[["pair", "n", "both", "a_only", "b_only", "neither"]].to_string(index=False))
                       pair   n  both  a_only  b_only  neither
    data_tracking_analytics 106    34      30       9       33
                 mobile_web 106    32      23      10       41
                    sem_seo 106    21      25       8       52
                omnichannel 106    11      26       5       64
    """
    book = responses.codebook
    n_groups = len(responses.group_ids)
    weighted = responses.weighted
    in_group = np.bincount(responses.group.astype(np.intp), minlength=n_groups + 1)[:n_groups]
    names: dict[str, str] = {}  # the codebook's first answer label of each group, e.g. "Technology" for it
    for answer, group_id in book.group.labels.items():
        if group_id is not None:
            names.setdefault(group_id, group_label(group_id, str(answer) if isinstance(answer, str) else None))
    rows = []
    for item_id, answers in responses.items.items():
        item = book.items[item_id]
        answered = (answers.state > 0)[None, :]
        yes = (answers.state == 2)[None, :]
        n_raw = (answers.freq * answered).sum(axis=1)[:n_groups]
        k_raw = (answers.freq * yes).sum(axis=1)[:n_groups]
        if weighted:
            sw = (answers.wsum * answered).sum(axis=1)[:n_groups]
            sw2 = (answers.wsq * answered).sum(axis=1)[:n_groups]
            swy = (answers.wsum * yes).sum(axis=1)[:n_groups]
        for g, group_id in enumerate(responses.group_ids):
            if n_raw[g] == 0:
                continue  # not asked of this group
            row = {"study": book.study, "item": item_id, "group": group_id, "pair": item.pair,
                   "measure": item.measure, "wording": item.wording, "group_label": names.get(group_id),
                   "n_source": "observed",
                   "split": 0, "group_n": int(in_group[g]), "item_missing": int(in_group[g] - n_raw[g]),
                   "split_total": responses.n_rows, "split_unclassified": responses.n_excluded}
            if not weighted:
                n, k = int(n_raw[g]), int(k_raw[g])
                row.update(n=n, k=k, value=100 * k / n)
            else:
                if sw[g] <= 0:
                    raise DataValidationError(
                        f"{responses.path}, column {book.weight}: the weights of the {group_id} respondents answering "
                        f"{item_id} sum to 0; no weighted share exists"
                    )
                share = swy[g] / sw[g]
                n_eff = sw[g] ** 2 / sw2[g]
                n = max(int(_half_up(n_eff)), 1)
                row.update(n=n, k=min(int(_half_up(share * n_eff)), n), value=100 * share, n_raw=int(n_raw[g]),
                           p_hat=float(share), n_eff=float(n_eff))
            rows.append(row)
    counts = pd.DataFrame(rows)
    counts["k_low"] = counts["k"]
    counts["k_high"] = counts["k"]
    counts["consistent"] = True
    counts["low"] = np.nan
    counts["high"] = np.nan
    counts["decimals"] = 0
    counts["rounding"] = pd.NA
    columns = list(COUNT_COLUMNS) + (list(WEIGHTED_COLUMNS) if weighted else [])
    counts = counts.reindex(columns=columns).astype(
        {c: "Int64" for c in ("n", "k", "k_low", "k_high", "split", "group_n", "item_missing", "split_total",
                              "split_unclassified")} | {"consistent": "boolean", "value": float, "low": float,
                                                        "high": float})
    if weighted:
        counts = counts.astype({"n_raw": "Int64", "p_hat": float, "n_eff": float})
    return ObservedCounts(counts, _paired_tables(responses), responses.n_rows, responses.n_excluded, book.study,
                          weighted)


def _paired_tables(responses: Responses) -> pd.DataFrame | None:
    book: Codebook = responses.codebook
    pairs: dict[str, dict[str, str]] = {}
    for item_id, item in book.items.items():
        if item.pair is not None:
            pairs.setdefault(item.pair, {})[item.measure] = item_id
    group, weights = responses.group, responses.weights
    n_groups = len(responses.group_ids)
    rows = []
    for pair, members in pairs.items():
        if set(members) != set(_MEASURES):
            continue  # only one measure of this pair was asked
        a = responses.items[members["importance"]].states()
        b = responses.items[members["expertise"]].states()
        size = (n_groups + 1) * 9
        cells, wcells, wsq = np.zeros(size, dtype=np.int64), np.zeros(size), np.zeros(size)
        for start in range(0, len(group), _CHUNK):  # cell = group * 9 + state_a * 3 + state_b
            stop = start + _CHUNK
            index = group[start:stop].astype(np.intp) * 9
            index += a[start:stop] * 3
            index += b[start:stop]
            cells += np.bincount(index, minlength=size)
            if weights is not None:
                w = weights[start:stop]
                wcells += np.bincount(index, weights=w, minlength=size)
                wsq += np.bincount(index, weights=w * w, minlength=size)
        cells, wcells, wsq = (x.reshape(n_groups + 1, 3, 3) for x in (cells, wcells, wsq))
        for g, group_id in enumerate(responses.group_ids):
            block = cells[g, 1:, 1:]  # answered both: rows a no/yes, columns b no/yes
            n_raw = int(block.sum())
            if n_raw == 0:
                continue
            row = {"study": book.study, "pair": pair, "group": group_id, "item_a": members["importance"],
                   "item_b": members["expertise"]}
            if weights is None:
                row.update(n=n_raw, both=int(block[1, 1]), a_only=int(block[1, 0]), b_only=int(block[0, 1]),
                           neither=int(block[0, 0]))
            else:
                wb = wcells[g, 1:, 1:]
                sw, sw2 = wb.sum(), wsq[g, 1:, 1:].sum()
                if sw <= 0:
                    continue
                # the margins are rounded exactly as the counts table rounds each item
                # (k = round(share x n_eff)), the overlap within the Frechet bounds they allow
                n_eff = sw**2 / sw2
                n = max(int(_half_up(n_eff)), 1)
                p_a, p_b = (wb[1, 1] + wb[1, 0]) / sw, (wb[1, 1] + wb[0, 1]) / sw
                k_a, k_b = min(int(_half_up(p_a * n_eff)), n), min(int(_half_up(p_b * n_eff)), n)
                both = int(np.clip(_half_up(wb[1, 1] / sw * n_eff), max(0, k_a + k_b - n), min(k_a, k_b)))
                row.update(n=n, both=both, a_only=k_a - both, b_only=k_b - both, neither=n - k_a - k_b + both,
                           n_raw=n_raw, n_eff=float(n_eff), p_hat_a=float(p_a), p_hat_b=float(p_b))
            rows.append(row)
    if not rows:
        return None
    extra = ["n_raw", "n_eff", "p_hat_a", "p_hat_b"] if weights is not None else []
    return pd.DataFrame(rows, columns=list(PAIRED_COLUMNS) + extra).astype(
        {c: "int64" for c in ("n", "both", "a_only", "b_only", "neither")})


def load_responses(path: str | Path, codebook: str | Path | Codebook, design: str = "unweighted") -> ObservedCounts:
    """Read a response file through its codebook and count it (:func:`count_responses`).

    Examples
    --------
    >>> from alignment_stats.config import DEMO_CODEBOOK, DEMO_SURVEY
    >>> weighted = load_responses(DEMO_SURVEY, DEMO_CODEBOOK, design="weighted")
    >>> row = weighted.counts.query("item == 'very_collaborative' and group == 'it'").iloc[0]
    >>> int(row["n_raw"]), round(float(row["n_eff"]), 2), round(float(row["p_hat"]), 4)
    (24, 21.71, 0.1294)
    """
    return count_responses(read_responses(path, codebook, design))
