"""The counts every analysis reads, built once per input into ``data/processed/<key>/``.

:func:`load_counts` is the one way analyses (and interactive notebooks) get
their counts. The key hashes every input file (its bytes), every option that
changes the counts (rounding rule, ``max_missing``, ``max_unclassified``,
``decimals``, design), the package version and the code of the layers that
build counts. A folder whose ``manifest.json`` matches is read; otherwise the
counts are built and written there (atomically: built in a temporary folder
and renamed), so another input never overwrites the bundled data's counts.
The report runner builds them before any kernel starts.

A folder holds ``manifest.json`` (what the key is made of), ``counts.csv``
(for people) and Parquet files of the counts, the figures, the size
scenarios, the feasible-count ranges, the observed paired tables and the
claims.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import PACKAGE_DIR, PROCESSED_DIR
from ..schema import COUNT_COLUMNS, DESIGNS, ROUNDING_RULES, DataValidationError, group_label
from ..sources.inputs import Sources, input_files, read_sources
from ..sources.paths import check_writable, sha256_file
from .observed import count_responses
from .reconstruct import reconstruct
from .scenarios import RANGE_COLUMNS

__all__ = ["MANIFEST_VERSION", "CountsOptions", "CountsBundle", "build_counts", "counts_key", "load_counts",
           "read_bundle"]

MANIFEST_VERSION = 1
#: The code whose change invalidates stored counts.
_CODE = ("schema.py", "config.py", "sources", "counts")
_FRAMES = ("counts", "figures", "sizes", "ranges", "paired", "claims")


@dataclass(frozen=True)
class CountsOptions:
    """The options that change the counts of an input.

    ``rounding``: the rule assumed where a figure does not state one;
    ``max_missing``: item non-responses an inferred base may have;
    ``max_unclassified``: respondents of a published total in no listed group;
    ``decimals``: decimal places the percentages carry (None: as written);
    ``design``: ``unweighted`` or ``weighted`` respondent data.
    """

    rounding: str = "half_up"
    max_missing: int = 1
    max_unclassified: int = 0
    decimals: int | None = None
    design: str = "unweighted"

    def __post_init__(self) -> None:
        if self.rounding not in ROUNDING_RULES:
            raise ValueError(f"rounding: {self.rounding!r} is not a known rule (known: {', '.join(ROUNDING_RULES)})")
        for name in ("max_missing", "max_unclassified"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= 1000:
                raise ValueError(f"{name}: {value!r} must be a whole number from 0 to 1000")
        if self.decimals is not None and (isinstance(self.decimals, bool) or self.decimals not in range(7)):
            raise ValueError(f"decimals: {self.decimals!r} must be a whole number from 0 to 6 (or None)")
        if self.design not in DESIGNS:
            raise ValueError(f"design: {self.design!r} is not known (known: {', '.join(DESIGNS)})")


@dataclass(frozen=True)
class CountsBundle:
    """Everything the analyses read about one input.

    Attributes
    ----------
    key : str
        The store key (see the module docstring).
    kind : {"figures", "counts", "responses"}
    source : str
        How results cite the data.
    options : CountsOptions
    counts : pandas.DataFrame
        :data:`~alignment_stats.schema.COUNT_COLUMNS` (+ weighted columns):
        one row per figure, in the chosen scenario.
    ranges : pandas.DataFrame
        Every figure's feasible counts in every scenario
        (:data:`~alignment_stats.counts.scenarios.RANGE_COLUMNS`); for
        observed counts, one row each.
    claims : pandas.DataFrame
        The claims to judge on this input.
    figures, studies, sizes
        Published figures, their studies and size scenarios (figures only).
    paired : pandas.DataFrame or None
        Observed 2x2 tables of paired items (respondent data only).
    assumable : frozenset
        (study, group) pairs whose size nothing publishes.
    skipped_claims : dict
        ``{claim_id: why}`` of bundled claims left out.
    synthetic : bool
        The codebook says the data are synthetic.
    files : dict
        ``{role: path}`` of the input files.
    folder : Path or None
        Where the bundle is stored.
    """

    key: str
    kind: str
    source: str
    options: CountsOptions
    counts: pd.DataFrame
    ranges: pd.DataFrame
    claims: pd.DataFrame
    figures: pd.DataFrame | None = None
    studies: dict[str, dict[str, Any]] | None = None
    sizes: pd.DataFrame | None = None
    paired: pd.DataFrame | None = None
    assumable: frozenset = frozenset()
    skipped_claims: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False
    files: dict[str, str] = field(default_factory=dict)
    folder: Path | None = None

    @property
    def study_ids(self) -> list[str]:
        """The studies of the input, in order of appearance."""
        return list(dict.fromkeys(self.counts["study"]))


def _code_hash() -> str:
    digest = hashlib.sha256()
    for name in _CODE:
        target = PACKAGE_DIR / name
        for path in sorted([target] if target.is_file() else target.rglob("*.py")):
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _version() -> str:
    try:
        return metadata.version("alignment_stats")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        return "unknown"


def counts_key(files: dict[str, Any], options: CountsOptions) -> tuple[str, dict[str, Any]]:
    """The store key of an input and the manifest it is the hash of.

    ``files`` is :func:`alignment_stats.sources.inputs.input_files`' result.
    """
    inputs = {}
    for role, path in files.items():
        if role == "kind":
            continue
        try:
            inputs[role] = {"path": str(path), "sha256": sha256_file(Path(path))}
        except OSError as exc:
            raise DataValidationError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    material = {"manifest_version": MANIFEST_VERSION, "kind": files["kind"], "inputs": inputs,
                "options": asdict(options), "package_version": _version(), "code": _code_hash()}
    key = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:20]
    return key, material


def _observed_ranges(counts: pd.DataFrame) -> pd.DataFrame:
    frame = counts.assign(rule=pd.NA, split=0, deviation=0.0,
                          n_feasible=(counts["k_high"] - counts["k_low"] + 1).fillna(0).astype("int64"))
    for column in ("group_n", "item_missing", "split_total", "split_unclassified"):
        if frame[column].isna().all():
            frame[column] = frame["n"] if column in ("group_n", "split_total") else 0
    return frame[list(RANGE_COLUMNS)].reset_index(drop=True)


def _with_decimals(figures: pd.DataFrame, decimals: int | None, path: Any) -> pd.DataFrame:
    if decimals is None:
        return figures
    bad = figures.index[figures["decimals"] > decimals]
    if len(bad):
        row = figures.loc[bad[0]]
        raise DataValidationError(
            f"{path}: figure {row['study']}/{row['item']}/{row['group']}, field value: written with "
            f"{row['decimals']} decimal place(s), which contradicts decimals={decimals}"
        )
    return figures.assign(decimals=int(decimals))


def _counts_table(table: pd.DataFrame) -> pd.DataFrame:
    """A counts-table input completed to the counts-table columns (its sizes count as published)."""
    out = table.copy()
    for column, default in (("k_low", out["k"]), ("k_high", out["k"]), ("consistent", True),
                            ("value", 100 * out["k"].astype(float) / out["n"].astype(float)), ("low", np.nan),
                            ("high", np.nan), ("decimals", 0), ("rounding", pd.NA), ("pair", pd.NA),
                            ("measure", pd.NA), ("wording", pd.NA), ("group_label", pd.NA), ("split", 0),
                            ("group_n", out["n"]), ("item_missing", 0),
                            ("split_total", pd.NA), ("split_unclassified", 0), ("n_source", "published")):
        if column not in out.columns:
            out[column] = default
    out["group_label"] = [group_label(g, named) for g, named in zip(out["group"], out["group_label"])]
    out["k_low"] = out["k_low"].fillna(out["k"])
    out["k_high"] = out["k_high"].fillna(out["k"])
    return out.reindex(columns=[*COUNT_COLUMNS, *[c for c in out.columns if c not in COUNT_COLUMNS]]).astype(
        {c: "Int64" for c in ("n", "k", "k_low", "k_high", "split", "group_n", "item_missing", "split_total",
                              "split_unclassified")} | {"consistent": "boolean"})


def build_counts(sources: Sources, options: CountsOptions = CountsOptions(), key: str = "") -> CountsBundle:
    """The counts of one input (no file is written).

    Examples
    --------
    >>> from alignment_stats.sources import read_sources
    >>> bundle = build_counts(read_sources())
    >>> bundle.kind, len(bundle.counts), sorted(bundle.assumable)[:2]
    ('figures', 42, [('accenture_2014', 'it'), ('accenture_2014', 'marketing')])
    """
    common = dict(key=key, kind=sources.kind, source=sources.source, options=options, claims=sources.claims,
                  skipped_claims=dict(sources.skipped_claims), synthetic=sources.synthetic,
                  files={role: str(path) for role, path in sources.files.items()})
    if sources.kind == "figures":
        figures = _with_decimals(sources.figures, options.decimals, sources.files.get("figures"))
        built = reconstruct(figures, sources.studies, options.rounding, options.max_missing, options.max_unclassified)
        return CountsBundle(counts=built.counts, ranges=built.ranges, figures=figures, studies=sources.studies,
                            sizes=built.sizes, assumable=built.assumable, **common)
    if sources.kind == "counts":
        counts = _counts_table(sources.counts)
        return CountsBundle(counts=counts, ranges=_observed_ranges(counts), **common)
    observed = count_responses(sources.responses)
    return CountsBundle(counts=observed.counts, ranges=_observed_ranges(observed.counts), paired=observed.paired,
                        **common)


def _save(bundle: CountsBundle, material: dict[str, Any], folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".tmp-{folder.name}-{secrets.token_hex(4)}-{os.getpid()}"
    tmp.mkdir()
    try:
        for name in _FRAMES:
            frame = getattr(bundle, name)
            if frame is not None:
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
        bundle.counts.to_csv(tmp / "counts.csv", index=False)
        extra = {"kind": bundle.kind, "source": bundle.source, "studies": bundle.studies,
                 "assumable": sorted(bundle.assumable), "skipped_claims": bundle.skipped_claims,
                 "synthetic": bundle.synthetic, "files": bundle.files}
        contents = {path.name: sha256_file(path) for path in sorted(tmp.iterdir())}
        manifest = {**material, "key": bundle.key, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "bundle": extra, "contents": contents}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
        try:
            os.rename(tmp, folder)
        except OSError:  # another process stored the same key first: theirs is identical
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def read_bundle(folder: Path, material: dict[str, Any] | None = None) -> CountsBundle | None:
    """The bundle stored in ``folder``, or None when absent, unreadable, damaged or not made of ``material``.

    Damaged: a file the manifest lists (with its sha256) is missing or differs.
    """
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if material is not None and {k: manifest.get(k) for k in material} != json.loads(json.dumps(material)):
            return None
        if any(sha256_file(folder / name) != digest for name, digest in manifest["contents"].items()):
            return None
        extra = manifest["bundle"]
        frames = {name: pd.read_parquet(folder / f"{name}.parquet") if (folder / f"{name}.parquet").is_file() else None
                  for name in _FRAMES}
    except (OSError, ValueError, KeyError):
        return None
    options = CountsOptions(**manifest["options"])
    return CountsBundle(
        key=manifest["key"], kind=extra["kind"], source=extra["source"], options=options, counts=frames["counts"],
        ranges=frames["ranges"], claims=frames["claims"], figures=frames["figures"], studies=extra["studies"],
        sizes=frames["sizes"], paired=frames["paired"], assumable=frozenset(tuple(x) for x in extra["assumable"]),
        skipped_claims=extra["skipped_claims"], synthetic=extra["synthetic"], files=extra["files"], folder=folder)


def load_counts(
    input: str | Path | None = None,
    codebook: str | Path | None = None,
    studies: str | Path | None = None,
    claims: str | Path | None = None,
    *,
    rounding: str = "half_up",
    max_missing: int = 1,
    max_unclassified: int = 0,
    decimals: int | None = None,
    design: str = "unweighted",
    store: str | Path | None = PROCESSED_DIR,
) -> CountsBundle:
    """The counts of an input: read from the store when built before, else built (and stored).

    Parameters
    ----------
    input, codebook, studies, claims
        The input (see :func:`alignment_stats.sources.read_sources`).
    rounding, max_missing, max_unclassified, decimals, design
        The options that change counts (:class:`CountsOptions`).
    store : str or Path or None, default ``data/processed``
        Where bundles are kept; None builds in memory only.

    Returns
    -------
    CountsBundle

    Raises
    ------
    DataValidationError
        Any problem of any input file.

    Examples
    --------
    >>> bundle = load_counts(store=None)
    >>> bundle.source, bundle.options.rounding
    ('bundled benchmark figures', 'half_up')
    """
    options = CountsOptions(rounding, max_missing, max_unclassified, decimals, design)
    if store is not None:
        store = check_writable(Path(store), "counts store")
    files = input_files(input, codebook, studies, claims)
    key, material = counts_key(files, options)
    folder = Path(store) / key if store is not None else None
    if folder is not None and folder.is_dir():
        stored = read_bundle(folder, material)
        if stored is not None:
            return stored
    bundle = build_counts(read_sources(input, codebook, studies, claims, design), options, key)
    if folder is None:
        return bundle
    try:
        if folder.is_dir():  # stale or damaged: rebuilt
            shutil.rmtree(folder)
        _save(bundle, material, folder)
    except OSError:
        return bundle  # a read-only store: the counts are still right, only not kept
    return read_bundle(folder, material) or bundle
