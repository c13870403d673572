"""The SYNTHETIC demo survey: respondent-level answers shaped like Leapfrog 2015.

Not real respondents: a deterministic illustration of the respondent-level
workflow, bundled as ``data/raw/demo/leapfrog_demo_survey.csv`` with its
codebook. Tests check that :func:`make_demo_survey` reproduces the bundled
file byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .responses import FORMATS

__all__ = ["DEMO_COUNTS", "make_demo_survey"]


def _half_up(x: np.ndarray | float) -> np.ndarray:
    return np.floor(np.asarray(x, dtype=float) + 0.5 + 1e-9).astype(np.int64)


#: Per-item counts of the demo survey: the data audit's reconstruction of the
#: Leapfrog 2015 figures (``run_audit().counts``, leapfrog_2015): ``(k, n)``
#: per group. 32/106 = 30.2% and 3/24 = 12.5% are published as 30% and 13%;
#: ``omnichannel_important`` ("about half", "one third") is an interval figure,
#: whose audit count is the one nearest the interval's midpoint.
DEMO_COUNTS: dict[str, dict[str, tuple[int, int]]] = {
    "very_collaborative": {"marketing": (32, 106), "it": (3, 24)},
    "improved_alignment": {"marketing": (21, 106), "it": (1, 24)},
    "no_shared_incentives": {"marketing": (67, 106), "it": (15, 24)},
    "deliver_omnichannel": {"marketing": (57, 106), "it": (12, 24)},
    "omnichannel_important": {"marketing": (53, 106), "it": (8, 24)},
    "importance_data_tracking_analytics": {"marketing": (64, 106)},
    "importance_mobile_web": {"marketing": (55, 106)},
    "importance_sem_seo": {"marketing": (46, 106)},
    "importance_omnichannel": {"marketing": (37, 106)},
    "expertise_mass_marketing": {"marketing": (47, 106)},
    "expertise_data_tracking_analytics": {"marketing": (43, 106)},
    "expertise_mobile_web": {"marketing": (42, 106)},
    "expertise_sem_seo": {"marketing": (29, 106)},
    "expertise_omnichannel": {"marketing": (16, 106)},
}

_SCALES: dict[str, dict[int, str]] = {
    "relationship4": {1: "Not collaborative", 2: "Somewhat collaborative", 3: "Collaborative",
                      4: "Very collaborative and productive"},
    "yes_no": {1: "Yes", 2: "No"},
    "importance5": {1: "Not at all important", 2: "Slightly important", 3: "Moderately important",
                    4: "Very important", 5: "Extremely important"},
    "expertise5": {1: "No expertise", 2: "Basic", 3: "Moderate", 4: "Advanced", 5: "Expert"},
}
_NOT_ASKED = (-9, "Not asked")
# item -> (column, scale, answers that count as yes, answers drawn for "no" with their weights)
_DEMO_ITEMS: dict[str, tuple[str, str, tuple[int, ...], tuple[tuple[int, ...], tuple[float, ...]]]] = {
    "very_collaborative": ("q_relationship", "relationship4", (4,), ((1, 2, 3), (0.2, 0.45, 0.35))),
    "improved_alignment": ("q_improved_alignment", "yes_no", (1,), ((2,), (1.0,))),
    "no_shared_incentives": ("q_shared_incentives", "yes_no", (2,), ((1,), (1.0,))),
    "deliver_omnichannel": ("q_delivers_omnichannel", "yes_no", (1,), ((2,), (1.0,))),
    "omnichannel_important": ("q_omnichannel_importance", "importance5", (4, 5), ((1, 2, 3), (0.15, 0.35, 0.5))),
    **{f"importance_{s}": (f"imp_{c}", "importance5", (5,), ((1, 2, 3, 4), (0.05, 0.15, 0.35, 0.45)))
       for s, c in (("data_tracking_analytics", "data_tracking"), ("mobile_web", "mobile_web"),
                    ("sem_seo", "sem_seo"), ("omnichannel", "omnichannel"))},
    **{f"expertise_{s}": (f"exp_{c}", "expertise5", (4, 5), ((1, 2, 3), (0.2, 0.4, 0.4)))
       for s, c in (("mass_marketing", "mass_marketing"), ("data_tracking_analytics", "data_tracking"),
                    ("mobile_web", "mobile_web"), ("sem_seo", "sem_seo"), ("omnichannel", "omnichannel"))},
}
_YES_WEIGHTS = {(4, 5): (0.65, 0.35)}
_DEMO_PAIRS = ("data_tracking_analytics", "mobile_web", "sem_seo", "omnichannel")


def _both_count(a: int, b: int, n: int) -> int:
    """Respondents saying yes to both paired items: halfway from independence to
    the largest overlap (Fréchet upper bound), a plausible positive dependence."""
    independent = a * b / n
    return int(_half_up(independent + 0.5 * (min(a, b) - independent)))


def _demo_codes(n_respondents: int | None, seed: int) -> pd.DataFrame:
    """The demo survey with numeric answer codes (-9 = not asked)."""
    sizes = {g: n for g, (_, n) in DEMO_COUNTS["very_collaborative"].items()}
    targets = {item: {g: k for g, (k, _) in groups.items()} for item, groups in DEMO_COUNTS.items()}
    if n_respondents is not None:
        if int(n_respondents) != n_respondents or n_respondents < 10:
            raise ValueError(f"n_respondents: {n_respondents!r} must be a whole number >= 10 (or None)")
        total = sum(sizes.values())
        marketing = int(_half_up(n_respondents * sizes["marketing"] / total))
        new = {"marketing": marketing, "it": int(n_respondents) - marketing}
        targets = {item: {g: int(_half_up(k * new[g] / sizes[g])) for g, k in groups.items()}
                   for item, groups in targets.items()}
        sizes = new
    rng = np.random.default_rng(seed)
    total = sum(sizes.values())
    department = np.array(["marketing"] * sizes["marketing"] + ["it"] * sizes["it"])[rng.permutation(total)]
    members = {g: np.flatnonzero(department == g) for g in sizes}
    asked = {item: np.isin(department, list(groups)) for item, groups in targets.items()}
    yes = {item: np.zeros(total, dtype=bool) for item in _DEMO_ITEMS}
    for item in _DEMO_ITEMS:
        skill = item.removeprefix("expertise_")
        if item.startswith("expertise_") and skill in _DEMO_PAIRS:
            continue  # drawn together with its importance item
        partner = "expertise_" + item.removeprefix("importance_") if item.startswith("importance_") else None
        for g, k in targets[item].items():
            order = members[g][rng.permutation(len(members[g]))]
            yes[item][order[:k]] = True
            if partner is not None:
                k_b = targets[partner][g]
                both = min(max(_both_count(k, k_b, len(order)), k + k_b - len(order)), k, k_b)
                yes[partner][order[:both]] = True  # important, with expertise
                yes[partner][order[k:k + k_b - both]] = True  # expertise only
    frame = pd.DataFrame({"respondent_id": [f"demo-{i + 1:04d}" for i in range(total)],
                          "department": np.where(department == "marketing", "Marketing", "IT")})
    for item, (column, scale, yes_answers, (no_answers, no_p)) in _DEMO_ITEMS.items():
        flags = yes[item]
        yes_p = _YES_WEIGHTS.get(yes_answers, (1.0,) * len(yes_answers))
        drawn_yes = rng.choice(np.array(yes_answers), size=total, p=np.array(yes_p) / sum(yes_p))
        drawn_no = rng.choice(np.array(no_answers), size=total, p=np.array(no_p) / sum(no_p))
        frame[column] = np.where(asked[item], np.where(flags, drawn_yes, drawn_no), _NOT_ASKED[0]).astype(np.int64)
    raw = rng.lognormal(0.0, 0.3, size=total)
    thousandths = _half_up(1000 * raw / raw.mean())
    thousandths[int(np.argmax(thousandths))] += 1000 * total - int(thousandths.sum())  # mean exactly 1
    frame["weight"] = thousandths / 1000
    return frame


def _demo_labels(codes: pd.DataFrame) -> pd.DataFrame:
    frame = codes.copy()
    for column, scale in _demo_columns().items():
        mapping = {**_SCALES[scale], _NOT_ASKED[0]: _NOT_ASKED[1]}
        frame[column] = codes[column].map(mapping)
    return frame


def _demo_columns() -> dict[str, str]:
    return {column: scale for column, scale, _, _ in _DEMO_ITEMS.values()}


def make_demo_survey(
    n_respondents: int | None = None, seed: int = 2015, path: str | Path | None = None
) -> pd.DataFrame:
    """A SYNTHETIC respondent-level survey matching the Leapfrog 2015 figures.

    Not real respondents: a deterministic illustration for the respondent-level
    workflow. With the default size it has the data audit's group sizes (106
    marketing, 24 IT respondents) and, for every item, exactly the audit's
    count of "yes" answers per group (:data:`DEMO_COUNTS`), assigned by a
    seeded permutation; so every percentage rounds (half up) to the
    published one. Paired skills are dependent: the number of marketers with
    both importance and expertise lies halfway between independence and the
    largest possible overlap, with exact margins. Answers are Likert-style
    labels (``Extremely important`` ... ``Not at all important``); IT
    respondents were "Not asked" the skills questions; ``weight`` is a seeded
    log-normal weight with mean exactly 1.

    Parameters
    ----------
    n_respondents : int, optional
        Default (None): 130, the audit's 106 + 24 with exact counts. Any
        other size keeps the 106:24 split and scales each count (half up),
        so shares match the figures only approximately.
    seed : int, default 2015
    path : str or Path, optional
        Also write the survey there, by suffix: ``.csv`` (answer labels),
        ``.xlsx`` (labels), ``.parquet`` (labels) or ``.sav`` (numeric codes
        with value labels, -9 "Not asked" declared missing).

    Returns
    -------
    pandas.DataFrame
        ``respondent_id, department``, one column per item (answer labels)
        and ``weight``; one row per respondent.

    Examples
    --------
    >>> demo = make_demo_survey()
    >>> demo.shape, demo["department"].value_counts().to_dict()
    ((130, 17), {'Marketing': 106, 'IT': 24})
    >>> int((demo.loc[demo["department"] == "IT", "q_relationship"] == "Very collaborative and productive").sum())
    3
    >>> round(float(demo["weight"].mean()), 12)
    1.0
    """
    codes = _demo_codes(n_respondents, seed)
    labelled = _demo_labels(codes)
    if path is not None:
        _write_demo(codes, labelled, Path(path))
    return labelled


def _write_demo(codes: pd.DataFrame, labelled: pd.DataFrame, path: Path) -> None:
    kind = FORMATS.get(path.suffix.lower())
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        labelled.to_csv(path, index=False, lineterminator="\n", float_format="%.3f")
    elif kind == "excel":
        labelled.to_excel(path, index=False, engine="openpyxl")
    elif kind == "parquet":
        labelled.to_parquet(path, index=False)
    elif kind == "spss":
        import pyreadstat

        columns = _demo_columns()
        value_labels = {c: {**_SCALES[s], _NOT_ASKED[0]: _NOT_ASKED[1]} for c, s in columns.items()}
        value_labels["department_code"] = {1: "Marketing", 2: "IT"}
        frame = codes.copy()
        frame.insert(1, "department_code", np.where(frame["department"] == "Marketing", 1, 2))
        frame = frame.drop(columns="department").rename(columns={"department_code": "department"})
        value_labels["department"] = value_labels.pop("department_code")
        pyreadstat.write_sav(frame, str(path), variable_value_labels=value_labels,
                             missing_ranges={c: [_NOT_ASKED[0]] for c in columns},
                             file_label="SYNTHETIC demo survey (alignment_stats.make_demo_survey) - not real data")
    else:
        raise ValueError(f"path: unknown suffix {path.suffix!r} (use {', '.join(FORMATS)})")
