"""Codebooks: the YAML that says how to read a respondent-level survey file.

A researcher with the answers of every respondent (not just published
percentages) describes the file in a small YAML *codebook*: the study id,
the group column and how its answers map to group ids, each item's column,
wording, answers and which answers count as "yes", missing-value codes,
paired importance/expertise items, an optional weight column and the text
encoding of a CSV file. :func:`load_codebook` reads and validates it;
:mod:`alignment_stats.sources.responses` reads the file it describes.

Codebook format
---------------
An example (the shipped ``data/raw/demo/leapfrog_demo_codebook.yaml``,
shortened)::

    study: leapfrog_2015_demo            # snake_case id of the survey
    title: SYNTHETIC demo survey ...     # optional, free text
    source: SYNTHETIC demo ...           # optional: how results cite the data
    synthetic: true                      # optional flag, default false
    respondent_id: respondent_id         # optional: checked for duplicates
    group:
      column: department                 # the column holding the group
      labels:                            # answer (code or label) -> group id
        Marketing: marketing             #   (null = leave these respondents out)
        IT: it
    weight: weight                       # optional weight column (used only
                                         # when weighting is asked for)
    missing: [-9, Not asked]             # answers that mean "no answer"
    scales:                              # named answer scales: code -> label
      importance5: {1: Not at all important, 2: Slightly important,
                    3: Moderately important, 4: Very important,
                    5: Extremely important}
      yes_no: {1: "Yes", 2: "No"}        # quote Yes/No: YAML reads them as booleans
    items:
      very_collaborative:                # item id (matches the benchmark's ids)
        column: q_relationship
        wording: consider the marketing-IT relationship very collaborative
        answers: {1: Not collaborative, 2: Somewhat collaborative,
                  3: Collaborative, 4: Very collaborative and productive}
        yes_if: Very collaborative and productive     # one answer (top box)
      improved_alignment:
        column: q_improved_alignment
        wording: say working together has significantly improved alignment
        scale: yes_no
        yes_if: [1]                      # a list of codes (or labels)
      importance_sem_seo:
        column: imp_sem_seo
        wording: call SEM and SEO extremely important
        scale: importance5
        yes_if: Extremely important
        pair: sem_seo                    # paired items share a pair id ...
        measure: importance              # ... one importance, one expertise
      expertise_sem_seo:
        column: exp_sem_seo
        wording: have expertise in SEM or SEO
        scale: expertise5
        yes_if: ">= 4"                   # a threshold on the answer code

Rules: every item gives its answers (``answers`` inline or a named
``scale``; for a ``.sav`` file the column's own value labels may stand in);
an answer in the file may be written as its code or its label (labels match
ignoring case and surrounding spaces); ``yes_if`` is one answer, a list of
answers, or a threshold (``>= 4``, ``> 3``, ``<= 2``, ``< 2``, ``== 5``) on
the code. Empty cells, SPSS system- and user-missing values and the answers
listed under ``missing`` (top level, or per item) are missing; a respondent
with a missing answer does not count for that item. Any other answer that is
not in the codebook is an error. The codebook is read with ``yaml.safe_load``
and validated with pydantic; an error names the codebook file and the key.

Text encoding: a CSV response file is read as UTF-8 unless the codebook says
``encoding: cp1252`` (or any Python codec name), as Excel exports often are.
"""

from __future__ import annotations

import codecs
import math
import re
from pathlib import Path
from typing import Any, Literal, Optional, Union

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..config import DEMO_CODEBOOK  # noqa: F401 - the doctest's example
from ..schema import DataValidationError
from .text import read_text

__all__ = ["Answer", "NA", "CodebookKeyError", "GroupSpec", "ItemSpec", "Codebook", "load_codebook",
           "normalise", "yes_codes"]

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_THRESHOLD = re.compile(r"^\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")

Answer = Union[int, float, str]


class CodebookKeyError(ValueError):
    """A codebook error at a known key (raised inside validators)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key, self.message = key, message


def _no_booleans(value: Any) -> Any:
    """YAML 1.1 reads unquoted yes/no/on/off as booleans: refuse them clearly."""
    def check(v: Any) -> None:
        if isinstance(v, bool):
            raise ValueError(
                f"{v!r} is a YAML boolean: an unquoted Yes/No/On/Off is read as true/false; "
                'quote the answer, e.g. "Yes"'
            )
    if isinstance(value, dict):
        for key, v in value.items():
            check(key)
            check(v)
    elif isinstance(value, list):
        for v in value:
            check(v)
    else:
        check(value)
    return value


class GroupSpec(BaseModel):
    """Which column holds the group, and how its answers map to group ids."""

    model_config = ConfigDict(extra="forbid")
    column: str = Field(min_length=1)
    labels: dict[Answer, Optional[str]] = Field(min_length=1)

    _booleans = field_validator("labels", mode="before")(classmethod(lambda cls, v: _no_booleans(v)))

    @field_validator("labels")
    @classmethod
    def _group_ids(cls, value: dict[Answer, Optional[str]]) -> dict[Answer, Optional[str]]:
        for answer, group in value.items():
            if group is not None and not _SNAKE.match(group):
                raise ValueError(f"group id {group!r} (for answer {answer!r}) must be a snake_case id")
        if not any(g is not None for g in value.values()):
            raise ValueError("maps every answer to null: no group is left to analyse")
        return value


class ItemSpec(BaseModel):
    """One item: its column, wording, answers and which answers count as yes."""

    model_config = ConfigDict(extra="forbid")
    column: str = Field(min_length=1)
    wording: str = Field(min_length=3)
    scale: Optional[str] = None
    answers: Optional[dict[Answer, str]] = None
    yes_if: Union[int, float, str, list[Answer]]
    missing: list[Answer] = []
    pair: Optional[str] = None
    measure: Optional[Literal["importance", "expertise"]] = None

    _booleans = field_validator("answers", "yes_if", "missing", mode="before")(
        classmethod(lambda cls, v: _no_booleans(v))
    )

    @field_validator("yes_if")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError("is an empty list: name at least one answer that counts as yes")
        return value

    @field_validator("pair")
    @classmethod
    def _pair_id(cls, value: str | None) -> str | None:
        if value is not None and not _SNAKE.match(value):
            raise ValueError("must be a snake_case id")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "ItemSpec":
        if self.scale is not None and self.answers is not None:
            raise ValueError("gives both scale and answers; use one")
        if (self.pair is None) != (self.measure is None):
            raise ValueError("pair and measure go together: a paired item needs both")
        return self


class Codebook(BaseModel):
    """A validated codebook (see the module docstring for the format)."""

    model_config = ConfigDict(extra="forbid")
    study: str
    title: Optional[str] = None
    source: Optional[str] = None
    synthetic: bool = False
    respondent_id: Optional[str] = None
    sheet: Optional[Union[int, str]] = None
    encoding: Optional[str] = None
    group: GroupSpec
    weight: Optional[str] = None
    missing: list[Answer] = []
    scales: dict[str, dict[Answer, str]] = {}
    items: dict[str, ItemSpec] = Field(min_length=1)
    path: Optional[str] = Field(default=None, exclude=True)

    _booleans = field_validator("missing", mode="before")(classmethod(lambda cls, v: _no_booleans(v)))

    @field_validator("scales", mode="before")
    @classmethod
    def _scale_booleans(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for scale in value.values():
                _no_booleans(scale)
        return value

    @field_validator("encoding")
    @classmethod
    def _codec(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"{value!r} is not a known text encoding (e.g. utf-8, cp1252, latin-1)") from None
        return value

    @field_validator("study")
    @classmethod
    def _study_id(cls, value: str) -> str:
        if not _SNAKE.match(value):
            raise ValueError("must be a snake_case id (lower-case letters, digits, _)")
        return value

    @field_validator("items")
    @classmethod
    def _item_ids(cls, value: dict[str, ItemSpec]) -> dict[str, ItemSpec]:
        for item in value:
            if not _SNAKE.match(str(item)):
                raise ValueError(f"item id {item!r} must be a snake_case id")
        return value

    @model_validator(mode="after")
    def _references(self) -> "Codebook":
        seen: dict[tuple[str, str], str] = {}
        for item_id, item in self.items.items():
            if item.scale is not None and item.scale not in self.scales:
                known = ", ".join(self.scales) or "none"
                raise CodebookKeyError(f"items.{item_id}.scale", f"{item.scale!r} is not a scale (known: {known})")
            scale = self.answers_of(item_id)
            if scale is not None:
                missing = {normalise(m) for m in [*self.missing, *item.missing]}
                clash = [c for c in scale if normalise(c) in missing or normalise(scale[c]) in missing]
                if clash:
                    raise CodebookKeyError(f"items.{item_id}.missing",
                                    f"answer {clash[0]!r} is both an answer and a missing code")
                yes_codes(scale, item.yes_if, f"items.{item_id}.yes_if")
            if item.pair is not None:
                key = (item.pair, item.measure)
                if key in seen:
                    raise CodebookKeyError(f"items.{item_id}.pair",
                                    f"pair {item.pair!r} already has a {item.measure} item ({seen[key]})")
                seen[key] = item_id
        return self

    def answers_of(self, item_id: str) -> dict[Answer, str] | None:
        """The answer scale (code -> label) of an item, or None if the file must supply it."""
        item = self.items[item_id]
        return self.scales[item.scale] if item.scale is not None else item.answers

    def columns(self, weighted: bool = False) -> list[str]:
        """The file columns this codebook reads, in order, without repeats."""
        wanted = [self.group.column, *(i.column for i in self.items.values())]
        if self.respondent_id:
            wanted.insert(0, self.respondent_id)
        if weighted and self.weight:
            wanted.append(self.weight)
        return list(dict.fromkeys(wanted))

    @property
    def name(self) -> str:
        """The codebook's file name (for messages)."""
        return Path(self.path).name if self.path else "codebook"


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook.

    Parameters
    ----------
    path : str or Path
        The codebook (read with ``yaml.safe_load``).

    Returns
    -------
    Codebook

    Raises
    ------
    DataValidationError
        Naming the file and the key: malformed YAML, an unknown or missing
        key, an id that is not snake_case, a ``yes_if`` answer that is not an
        answer of the item, an unknown scale, an unquoted Yes/No, a pair with
        two items of one measure.

    Examples
    --------
    >>> book = load_codebook(DEMO_CODEBOOK)
    >>> book.study, book.group.column, len(book.items), book.synthetic
    ('leapfrog_2015_demo', 'department', 14, True)
    """
    path = Path(path)
    text = read_text(path, "codebook")
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise DataValidationError(f"codebook {path}{where}: malformed YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(content, dict):
        raise DataValidationError(f"codebook {path}: expected a mapping with keys study, group, items")
    try:
        return Codebook(**{str(k): v for k, v in content.items()}, path=str(path))
    except ValidationError as exc:
        err = exc.errors()[0]
        original = (err.get("ctx") or {}).get("error")
        if isinstance(original, CodebookKeyError):
            key, message = original.key, original.message
        else:
            key = ".".join(str(p) for p in err["loc"] if not str(p).startswith(("function-", "union[")))
            key = re.sub(r"\.(int|float|str|list\[.*?\])(?=\.|$)", "", key) or "codebook"
            message = err["msg"].removeprefix("Value error, ")
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise DataValidationError(f"codebook {path}, key {key}: {message}{more}") from None




#: The normalised form of a missing answer.
NA = object()


def normalise(value: Any) -> Any:
    """A comparable form of an answer: numbers as int/float, text casefolded, :data:`NA` for missing.

    >>> normalise(" Yes "), normalise(4.0), normalise("4"), normalise(float("nan")) is NA
    ('yes', 4, 4, True)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return NA
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return NA
        return int(value) if float(value).is_integer() else float(value)
    text = str(value).strip()
    if not text:
        return NA
    try:
        number = float(text)
    except ValueError:
        return text.casefold()
    if math.isfinite(number):
        return int(number) if number.is_integer() else number
    return text.casefold()


def yes_codes(scale: dict[Answer, str], yes_if: Any, key: str) -> set[Any]:
    """The codes of ``scale`` that count as yes."""
    codes = {normalise(c): c for c in scale}
    labels = {normalise(v): c for c, v in scale.items()}
    shown = ", ".join(f"{c}={v}" for c, v in scale.items())
    if isinstance(yes_if, str):
        match = _THRESHOLD.match(yes_if)
        if match:
            op, bound = match.group(1), float(match.group(2))
            if not all(isinstance(normalise(c), (int, float)) for c in scale):
                raise CodebookKeyError(key, f"threshold {yes_if!r} needs numeric answer codes (answers: {shown})")
            test = {">=": np.greater_equal, "<=": np.less_equal, "==": np.equal, ">": np.greater,
                    "<": np.less}[op]
            chosen = {normalise(c) for c in scale if test(normalise(c), bound)}
            if not chosen:
                raise CodebookKeyError(key, f"threshold {yes_if!r} selects no answer (answers: {shown})")
            return chosen
    wanted = yes_if if isinstance(yes_if, list) else [yes_if]
    chosen = set()
    for answer in wanted:
        norm = normalise(answer)
        if isinstance(answer, str) and norm in labels:
            chosen.add(normalise(labels[norm]))
        elif norm in codes:
            chosen.add(norm)
        elif norm in labels:
            chosen.add(normalise(labels[norm]))
        else:
            raise CodebookKeyError(key, f"{answer!r} is not an answer of this item (answers: {shown})")
    return chosen
