"""Power and minimal detectable differences for comparing two proportions.

Normal approximation on Cohen's h scale (statsmodels ``NormalIndPower``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from statsmodels.stats.power import NormalIndPower

from ._validate import broadcast, check_open_unit, check_proportions, check_sizes, result_index

__all__ = ["cohens_h", "power_two_proportions", "minimal_detectable_difference"]


def cohens_h(p1: ArrayLike, p2: ArrayLike) -> np.ndarray:
    """Cohen's effect size h for two proportions: ``2 asin(sqrt(p1)) - 2 asin(sqrt(p2))``.

    >>> round(float(cohens_h(0.30, 0.13)), 4)
    0.4216
    """
    return 2.0 * np.arcsin(np.sqrt(np.asarray(p1, dtype=float))) - 2.0 * np.arcsin(np.sqrt(np.asarray(p2, dtype=float)))


def power_two_proportions(
    p1: ArrayLike,
    p2: ArrayLike,
    n1: ArrayLike,
    n2: ArrayLike,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Power of a two-sided comparison of two proportions.

    Normal approximation on Cohen's h scale: statsmodels
    ``NormalIndPower().power(h, nobs1=n1, alpha=alpha, ratio=n2 / n1)``.

    Parameters
    ----------
    p1, p2 : float or array_like of float
        True proportions in groups 1 and 2, in [0, 1].
    n1, n2 : float or array_like of float
        Group sizes (positive).
    alpha : float, default 0.05
        Two-sided significance level.

    Returns
    -------
    pandas.DataFrame
        Columns ``p1``, ``p2``, ``n1``, ``n2``, ``alpha``, ``cohens_h``
        (``2 asin(sqrt(p1)) - 2 asin(sqrt(p2))``) and ``power``.

    Raises
    ------
    ValueError
        If a proportion is outside [0, 1], a group size is not positive,
        lengths differ, or ``alpha`` is not in (0, 1).

    References
    ----------
    .. [1] Cohen, J. (1988). Statistical Power Analysis for the Behavioral
       Sciences, 2nd ed., chapter 6.

    Examples
    --------
    With 106 marketers and 24 IT leaders, a true 30% against 13% is found
    less than half of the time:

    >>> power_two_proportions(0.30, 0.13, 106, 24)[["cohens_h", "power"]].round(4)
       cohens_h   power
    0    0.4216  0.4622
    """
    alpha = check_open_unit(alpha, "alpha")
    (a1, a2, m1, m2), all_scalar, index = broadcast(
        (("p1", p1), ("p2", p2), ("n1", n1), ("n2", n2))
    )
    a1 = check_proportions(a1, "p1", all_scalar)
    a2 = check_proportions(a2, "p2", all_scalar)
    m1 = check_sizes(m1, "n1", all_scalar)
    m2 = check_sizes(m2, "n2", all_scalar)
    h = cohens_h(a1, a2)
    power = np.empty(h.size)
    designs = np.stack([m1, m2], axis=1)
    if h.size:
        uniq, inverse = np.unique(designs, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        solver = NormalIndPower()
        for j, (size1, size2) in enumerate(uniq.tolist()):
            rows = inverse == j
            power[rows] = solver.power(
                h[rows], nobs1=size1, alpha=alpha, ratio=size2 / size1, alternative="two-sided"
            )
    frame = pd.DataFrame(
        {"p1": a1, "p2": a2, "n1": m1, "n2": m2, "alpha": alpha, "cohens_h": h, "power": power},
        index=result_index(index, h.size),
    )
    return frame


def minimal_detectable_difference(
    n1: ArrayLike,
    n2: ArrayLike,
    p_base: ArrayLike,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """Smallest differences ``p1 - p2`` detectable with the given power.

    Group 2's share is ``p_base``. The detectable Cohen's h is
    ``NormalIndPower().solve_power(nobs1=n1, ratio=n2 / n1, alpha, power)``
    (two-sided); it is mapped back to proportions by
    ``p1 = sin(asin(sqrt(p_base)) +- h / 2) ** 2``.

    Parameters
    ----------
    n1, n2 : float or array_like of float
        Group sizes (positive).
    p_base : float or array_like of float
        Group 2's proportion, in [0, 1].
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
        Target power, in (alpha, 1).

    Returns
    -------
    pandas.DataFrame
        Columns ``n1``, ``n2``, ``p_base``, ``alpha``, ``power``,
        ``mdd_up`` (smallest detectable ``p1 - p2 > 0``) and ``mdd_down``
        (the negative one closest to 0). NaN where the difference would need
        ``p1`` above 1 or below 0, i.e. no difference in that direction is
        detectable with this power.

    Raises
    ------
    ValueError
        If a group size is not positive, ``p_base`` is outside [0, 1],
        lengths differ, ``alpha`` is not in (0, 1) or ``power`` is not in
        (alpha, 1).

    References
    ----------
    .. [1] Cohen, J. (1988). Statistical Power Analysis for the Behavioral
       Sciences, 2nd ed., chapter 6.

    Examples
    --------
    With 106 marketers and 24 IT leaders of whom 13% agree, only a
    marketing share about 27 points higher (or 13 points lower) would be
    detected 80% of the time:

    >>> mdd = minimal_detectable_difference(106, 24, 0.13)
    >>> mdd[["mdd_up", "mdd_down"]].round(4)
       mdd_up  mdd_down
    0  0.2708   -0.1273
    """
    alpha = check_open_unit(alpha, "alpha")
    power = check_open_unit(power, "power")
    if power <= alpha:
        raise ValueError(f"power must exceed alpha ({alpha}); got {power}")
    (m1, m2, base), all_scalar, index = broadcast((("n1", n1), ("n2", n2), ("p_base", p_base)))
    m1 = check_sizes(m1, "n1", all_scalar)
    m2 = check_sizes(m2, "n2", all_scalar)
    base = check_proportions(base, "p_base", all_scalar)
    h = np.empty(base.size)
    if base.size:
        uniq, inverse = np.unique(np.stack([m1, m2], axis=1), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        solver = NormalIndPower()
        for j, (size1, size2) in enumerate(uniq.tolist()):
            solved = solver.solve_power(
                effect_size=None,
                nobs1=size1,
                alpha=alpha,
                power=power,
                ratio=size2 / size1,
                alternative="two-sided",
            )
            h[inverse == j] = abs(float(np.squeeze(solved)))
    phi = np.arcsin(np.sqrt(base))
    up_angle = phi + h / 2.0
    down_angle = phi - h / 2.0
    reachable_up = up_angle <= np.pi / 2
    reachable_down = down_angle >= 0.0
    mdd_up = np.where(reachable_up, np.sin(np.minimum(up_angle, np.pi / 2)) ** 2 - base, np.nan)
    mdd_down = np.where(reachable_down, np.sin(np.maximum(down_angle, 0.0)) ** 2 - base, np.nan)
    return pd.DataFrame(
        {
            "n1": m1,
            "n2": m2,
            "p_base": base,
            "alpha": alpha,
            "power": power,
            "mdd_up": mdd_up,
            "mdd_down": mdd_down,
        },
        index=result_index(index, base.size),
    )
