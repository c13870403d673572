"""Per-study facts: ``studies.yaml`` read and validated.

One entry per report (a publication of figures): title, publisher, year,
population, the groups it reports on and how it names them, the sample
composition where published (``total_n``, ``group_shares``, ``group_n``,
``max_unclassified``), its sources, and the cross-figure checks the audit
runs. Reports of one survey share a ``survey`` id.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..config import BUNDLED_STUDIES
from ..schema import GROUPS, DataValidationError
from .text import read_text, shown

__all__ = ["Study", "load_studies", "studies_for"]

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class SourceRef(BaseModel):
    """Where a fact comes from: a seed article, or an external page with its quote."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["seed", "external"]
    file: Optional[str] = None
    url: Optional[str] = None
    citation: Optional[str] = None
    quote: str = Field(min_length=8)

    @model_validator(mode="after")
    def _where(self) -> SourceRef:
        if self.kind == "seed" and not self.file:
            raise ValueError("a seed source needs `file`")
        if self.kind == "external" and not (self.url or self.citation):
            raise ValueError("an external source needs `url` or `citation`")
        return self


class Check(BaseModel):
    """A cross-figure constraint the audit verifies."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["pooled", "nested", "same_figure"]
    items: Optional[list[str]] = None
    subset: Optional[str] = None
    superset: Optional[str] = None
    figures: Optional[list[str]] = None

    @model_validator(mode="after")
    def _fields(self) -> Check:
        needs = {"pooled": ("items",), "nested": ("subset", "superset"), "same_figure": ("figures",)}
        missing = [f for f in needs[self.kind] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} check needs {', '.join(missing)}")
        return self


class Study(BaseModel):
    """One report's facts.

    ``total_n`` and ``group_shares`` are the published sample composition
    (e.g. 131 executives, 81% marketing, 19% IT); ``group_n`` holds group
    sizes only where a source publishes them; ``max_unclassified`` is how
    many respondents of ``total_n`` may belong to no listed group (default:
    the run's ``max_unclassified``, 0 unless set).
    """

    model_config = ConfigDict(extra="forbid")
    title: str
    publisher: str
    sponsor: Optional[str] = None
    year: Optional[int] = None
    survey: str
    population: str
    groups: dict[str, str]
    total_n: Optional[int] = Field(default=None, gt=0, lt=2**53)
    group_shares: Optional[dict[str, float]] = None
    group_n: Optional[dict[str, int]] = None
    max_unclassified: Optional[int] = Field(default=None, ge=0)
    sources: list[SourceRef] = Field(min_length=1)
    checks: list[Check] = []
    notes: Optional[str] = None

    @model_validator(mode="after")
    def _groups_known(self) -> Study:
        for group in self.groups:
            if group not in GROUPS:
                raise ValueError(f"group {group!r} is not known (known: {', '.join(GROUPS)})")
        for name in ("group_shares", "group_n"):
            for group in getattr(self, name) or {}:
                if group not in self.groups:
                    raise ValueError(f"{name} names {group!r}, which is not one of the study's groups")
        for group, share in (self.group_shares or {}).items():
            if not 0 <= share <= 100:
                raise ValueError(f"group_shares[{group}] = {share} is not a percentage (0-100)")
        for group, size in (self.group_n or {}).items():
            if not 0 < size < 2**53:
                raise ValueError(f"group_n[{group}] = {size} must be a positive count")
        if self.group_shares and not self.total_n:
            raise ValueError("group_shares needs total_n: shares of how many respondents?")
        if self.max_unclassified is not None and self.total_n and self.max_unclassified > self.total_n:
            raise ValueError(f"max_unclassified = {self.max_unclassified} exceeds total_n = {self.total_n}")
        return self


def studies_for(figures_path: Path) -> Path:
    """The ``studies.yaml`` of a figures file: the one beside it, else the bundled one."""
    beside = Path(figures_path).parent / "studies.yaml"
    return beside if beside.is_file() else BUNDLED_STUDIES


def _yaml_line(text: str, study: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{study}:"):
            return number
    return 1


def load_studies(path: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Load and validate a ``studies.yaml``.

    Parameters
    ----------
    path : str or Path, optional
        Default: the bundled ``data/raw/studies.yaml``.

    Returns
    -------
    dict
        ``{study_id: facts}`` where facts has the fields of :class:`Study`.

    Raises
    ------
    DataValidationError
        Malformed YAML (with its line), a study that is not a mapping, an
        unknown or missing field, an unknown group, a share outside 0-100.

    Examples
    --------
    >>> studies = load_studies()
    >>> studies["leapfrog_2015"]["total_n"], studies["leapfrog_2015"]["group_shares"]
    (131, {'marketing': 81.0, 'it': 19.0})
    """
    path = Path(path) if path is not None else BUNDLED_STUDIES
    text = read_text(path, "studies file")
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise DataValidationError(f"{path}{where}: malformed YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(content, dict) or not content:
        raise DataValidationError(f"{path}: expected a mapping of study ids to study facts")
    studies = {}
    for study_id, facts in content.items():
        line = _yaml_line(text, str(study_id))
        if not isinstance(study_id, str) or not _SNAKE.match(study_id):
            raise DataValidationError(f"{path} line {line}: study id {shown(study_id)} must be a snake_case id")
        if not isinstance(facts, dict):
            raise DataValidationError(f"{path} line {line}, study {study_id}: expected a mapping of facts")
        try:
            studies[study_id] = Study(**facts).model_dump()
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "study"
            message = err["msg"].removeprefix("Value error, ")
            raise DataValidationError(f"{path} line {line}, study {study_id}, field {field}: {message}") from None
    return studies
