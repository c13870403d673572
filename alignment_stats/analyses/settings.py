"""The settings of every analysis: one pydantic model each, declared once.

A model names every parameter of its notebook with its type, default,
allowed values or bounds and help. The same model validates the notebook's
``run_*`` call, the report runner's parameters before anything starts and
the entries of ``runs.yaml``; the notebook's ``parameters`` cell is
:func:`parameters_cell` of its model (a test keeps them equal), and
``alignment-stats params`` prints :func:`describe`.

Shared names mean the same in every notebook that takes them: ``input,
codebook, studies, claims, study, rounding, max_missing, max_unclassified,
alpha, ci, test, adjust, design, output_dir``.
"""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any, ClassVar, Literal, Optional, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..schema import DESIGNS, ROUNDING_RULES
from ..sources.paths import output_folder
from ..stats import ADJUST_METHODS, CI_METHODS, CONVENTIONS, PAIRED_CI_METHODS, PAIRED_TEST_METHODS, TEST_METHODS
from ..stats import TOST_METHODS

__all__ = [
    "MAX_SIZE",
    "Settings",
    "AuditSettings",
    "PerceptionSettings",
    "IncentivesSettings",
    "SkillsSettings",
    "BenchmarkSettings",
    "SETTINGS",
    "settings_for",
    "settings_error",
    "parse_overrides",
    "type_name",
    "allowed_values",
    "fields",
    "describe",
    "parameters_cell",
]

#: Largest group size an analysis accepts as a parameter (assumed or set by the user): beyond it the
#: exact tests would not finish in reasonable time and memory.
MAX_SIZE = 100_000
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_OVERRIDE = re.compile(r"^\s*([a-z][a-z0-9_]*)/([a-z][a-z0-9_]*)\s*[=:]\s*(\d+)\s*$")

Rounding = Literal[ROUNDING_RULES]
Design = Literal[DESIGNS]


def _alpha(help_text: str, high: float = 0.5) -> Any:
    return Field(0.05, gt=0, lt=high, description=help_text)


class Settings(BaseModel):
    """What every analysis takes: the input, how its counts are read, and where results go."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: The notebook these settings belong to.
    notebook: ClassVar[str] = ""

    input: Optional[str] = Field(None, description="figures CSV, counts table or response file; None: the bundled "
                                                   "benchmark figures")
    codebook: Optional[str] = Field(None, description="YAML codebook when input holds one row per respondent")
    studies: Optional[str] = Field(None, description="studies.yaml of a figures input; None: the one beside it, "
                                                     "else the bundled one")
    claims: Optional[str] = Field(None, description="claims file to judge; None: the bundled claims of the "
                                                    "input's studies")
    rounding: Rounding = Field("half_up", description="rule assumed where a source does not say: half_up, "
                                                      "half_even, truncate, ceil or unknown (any of them)")
    max_missing: int = Field(1, ge=0, le=1000, description="item non-responses an inferred group base may have")
    max_unclassified: int = Field(0, ge=0, le=MAX_SIZE, description="respondents of a published total that may "
                                                                    "belong to no listed group")
    design: Design = Field("unweighted", description="respondent data: unweighted, or weighted by the codebook's "
                                                     "weight column")
    output_dir: Optional[str] = Field(None, description="where results/ and figures/ go; None: "
                                                        "reports/interactive/<notebook>")

    @field_validator("input", "codebook", "studies", "claims", "output_dir", mode="before")
    @classmethod
    def _blank_path(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            value = str(value)  # a pathlib.Path
        return None if value is None or value.strip() == "" else value

    def output_path(self) -> Path:
        """Where this notebook writes (``output_dir``, or ``reports/interactive/<notebook>``), checked writable."""
        return output_folder(self.output_dir, self.notebook or "analysis")

    def counts_options(self) -> dict[str, Any]:
        """The settings that change the counts (passed to :func:`alignment_stats.counts.load_counts`)."""
        return {"input": self.input, "codebook": self.codebook, "studies": self.studies, "claims": self.claims,
                "rounding": self.rounding, "max_missing": self.max_missing,
                "max_unclassified": self.max_unclassified, "decimals": getattr(self, "decimals", None),
                "design": self.design}


def _study_field(help_text: str) -> Any:
    return Field(None, description=help_text)


class _StudyChoice(Settings):
    study: Optional[str] = _study_field("one study id of the input; None: every study it applies to")

    @field_validator("study", mode="before")
    @classmethod
    def _study_id(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() in ("", "None"):
            return None
        if value is not None and (not isinstance(value, str) or not _SNAKE.match(value)):
            raise ValueError("must be a study id (snake_case)")
        return value


class AuditSettings(Settings):
    """Notebook 00, the data audit."""

    notebook: ClassVar[str] = "00_data_audit"
    decimals: Optional[int] = Field(None, ge=0, le=6, description="decimal places the percentages carry; None: "
                                                                  "as written")
    grid_reach: int = Field(4, ge=0, le=50, description="the heatmap shows sizes this far either side of each "
                                                        "candidate")


class PerceptionSettings(_StudyChoice):
    """Notebook 01, the perception gap."""

    notebook: ClassVar[str] = "01_perception_gap"
    alpha: float = _alpha("significance level; intervals are 1 - alpha")
    ci: Literal[CI_METHODS] = Field("newcombe", description="interval for the difference: " + ", ".join(CI_METHODS))
    test: Literal[TEST_METHODS] = Field("fisher", description="test of equal shares: " + ", ".join(TEST_METHODS))
    adjust: Literal[ADJUST_METHODS] = Field("holm", description="multiplicity adjustment within each study: "
                                                                + ", ".join(ADJUST_METHODS))
    power: float = Field(0.8, gt=0, lt=1, description="power for the minimal detectable difference")
    assumed_n: Optional[int] = Field(100, ge=1, le=MAX_SIZE, description="group size assumed where nothing "
                                                                         "publishes one (results are illustrative); "
                                                                         "None: leave untested")
    n_overrides: Optional[str] = Field(None, description="group sizes to use instead, e.g. "
                                                         "accenture_2014/it:500, accenture_2014/marketing:647")
    crosstab_study: Optional[str] = Field(None, description="study shown as a crosstab; None: the one with most "
                                                            "items compared")
    convention: Literal[CONVENTIONS] = Field("spss", description="significance letters of the crosstab: spss or q")

    @field_validator("n_overrides")
    @classmethod
    def _overrides(cls, value: str | None) -> str | None:
        parse_overrides(value)
        return value


class IncentivesSettings(_StudyChoice):
    """Notebook 02, shared incentives (agreement as equivalence)."""

    notebook: ClassVar[str] = "02_shared_incentives"
    margin: float = Field(0.10, gt=0, lt=1, description="equivalence margin as a proportion (0.10: within +-10 "
                                                        "points counts as agreement)")
    alpha: float = _alpha("level of each one-sided test; the equivalence interval is 1 - 2 alpha")
    power: float = Field(0.8, gt=0, lt=1, description="target power for the group size needed")
    test: Literal[TOST_METHODS] = Field("score", description="equivalence test (TOST): " + ", ".join(TOST_METHODS))
    design_effect: float = Field(1.0, ge=1, le=100, description="design effect of a weighted or clustered survey; "
                                                                "inflates the planning sizes")
    agreement_items: Optional[list[str]] = Field(None, description="item ids to test for agreement; None: the "
                                                                   "agreement claims' items (respondent data: every "
                                                                   "item asked of both groups)")

    @field_validator("agreement_items")
    @classmethod
    def _items(cls, value: list[str] | None) -> list[str] | None:
        for item in value or ():
            if not _SNAKE.match(item):
                raise ValueError(f"{item!r} is not an item id (snake_case)")
        return value


class SkillsSettings(_StudyChoice):
    """Notebook 03, the skills gap (paired importance vs expertise)."""

    notebook: ClassVar[str] = "03_skills_gap"
    alpha: float = _alpha("significance level; intervals are 1 - alpha")
    ci: Literal[PAIRED_CI_METHODS] = Field("newcombe", description="paired interval: "
                                                                   + ", ".join(PAIRED_CI_METHODS))
    test: Literal[PAIRED_TEST_METHODS] = Field("exact", description="paired test (McNemar): "
                                                                    + ", ".join(PAIRED_TEST_METHODS))
    seed: int = Field(2015, ge=0, le=2**32 - 1, description="seed of the ranking's bootstrap")
    replicates: int = Field(10_000, ge=100, le=1_000_000, description="bootstrap replicates of the ranking")


class BenchmarkSettings(_StudyChoice):
    """Notebook 04, your survey against the benchmark."""

    notebook: ClassVar[str] = "04_benchmark_comparison"
    input: Optional[str] = Field("data/raw/demo/leapfrog_demo_survey.csv",
                                 description="your survey (one row per respondent) or counts table; default: the "
                                             "SYNTHETIC demo survey")
    codebook: Optional[str] = Field("data/raw/demo/leapfrog_demo_codebook.yaml",
                                    description="YAML codebook of the response file; None: input is a counts table "
                                                "or figures")
    benchmark_study: str = Field("leapfrog_2015", description="the bundled study to compare with")

    @model_validator(mode="before")
    @classmethod
    def _own_input(cls, data: Any) -> Any:
        """An input given without a codebook is never read with the demo survey's codebook."""
        if isinstance(data, dict) and data.get("input") not in (None, "") and "codebook" not in data:
            return {**data, "codebook": None}
        return data
    alpha: float = _alpha("significance level; intervals are 1 - alpha")
    ci: Literal[CI_METHODS] = Field("newcombe", description="interval for the difference: " + ", ".join(CI_METHODS))
    test: Literal[TEST_METHODS] = Field("fisher", description="test of equal shares: " + ", ".join(TEST_METHODS))
    adjust: Literal[ADJUST_METHODS] = Field("holm", description="multiplicity adjustment over each study's items: "
                                                                + ", ".join(ADJUST_METHODS))


#: The settings model of each notebook, by notebook name.
SETTINGS: dict[str, type[Settings]] = {
    cls.notebook: cls for cls in (AuditSettings, PerceptionSettings, IncentivesSettings, SkillsSettings,
                                  BenchmarkSettings)
}


def settings_for(notebook: str) -> type[Settings] | None:
    """The settings model of a notebook (by stem, ``NN`` or name without number), else None.

    >>> settings_for("01").__name__, settings_for("skills_gap").__name__, settings_for("99_x")
    ('PerceptionSettings', 'SkillsSettings', None)
    """
    for name, cls in SETTINGS.items():
        if notebook in (name, name[:2], name[3:]):
            return cls
    return None


def parse_overrides(text: str | None) -> dict[tuple[str, str], int]:
    """Group sizes written ``study/group=n`` (or ``study/group:n``), comma-separated.

    >>> parse_overrides("accenture_2014/it=500, accenture_2014/marketing:647")
    {('accenture_2014', 'it'): 500, ('accenture_2014', 'marketing'): 647}
    """
    out: dict[tuple[str, str], int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _OVERRIDE.match(part)
        if match is None or not 1 <= int(match.group(3)) <= MAX_SIZE:
            raise ValueError(f"{part.strip()[:200]!r} is not study/group=n with 1 <= n <= {MAX_SIZE}")
        out[(match.group(1), match.group(2))] = int(match.group(3))
    return out


def settings_error(exc: ValidationError, where: str = "") -> str:
    """One line from a settings validation error: the parameter, the value (cut to 200 characters), the rule.

    >>> try:
    ...     PerceptionSettings(alpha=0.7)
    ... except ValidationError as exc:
    ...     print(settings_error(exc, "01_perception_gap"))
    parameter alpha of 01_perception_gap: 0.7 must be less than 0.5
    """
    err = exc.errors()[0]
    name = ".".join(str(p) for p in err["loc"]) or "parameters"
    value = repr(err.get("input"))
    value = value if len(value) <= 200 else value[:196] + "...'"
    message = err["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
    message = message[0].lower() + message[1:] if message else message
    if err["type"] == "extra_forbidden":
        return f"unknown parameter {name}{f' of {where}' if where else ''}"
    return f"parameter {name}{f' of {where}' if where else ''}: {value} {message}"


def type_name(annotation: Any) -> str:
    """How a settings type is written in a parameters cell: ``str``, ``Optional[int]``, ``Optional[list[str]]``.

    >>> type_name(PerceptionSettings.model_fields["ci"].annotation), type_name(Optional[int])
    ('str', 'Optional[int]')
    """
    origin = get_origin(annotation)
    if origin is Literal:
        return type(get_args(annotation)[0]).__name__
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        return f"Optional[{type_name(inner[0])}]"
    if origin is list:
        return f"list[{type_name(get_args(annotation)[0])}]"
    return annotation.__name__


def allowed_values(field: Any) -> str:
    """The values a field accepts, in words (for ``alignment-stats params``)."""
    annotation = field.annotation
    inner = [a for a in get_args(annotation) if a is not type(None)] if get_origin(annotation) in (
        Union, types.UnionType) else [annotation]
    if get_origin(inner[0]) is Literal:
        return ", ".join(map(str, get_args(inner[0])))
    bounds = []
    for meta in field.metadata:
        for attr, word in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            if getattr(meta, attr, None) is not None:
                bounds.append(f"{word} {getattr(meta, attr):g}")
    return " and ".join(bounds) or "any"


def fields(cls: type[Settings]) -> list[tuple[str, Any]]:
    """The parameters of a settings model in notebook order: the input first, ``output_dir`` last."""
    items = [(name, f) for name, f in cls.model_fields.items() if name != "output_dir"]
    return items + [("output_dir", cls.model_fields["output_dir"])]


def describe(cls: type[Settings]) -> list[dict[str, str]]:
    """Every parameter of a settings model: name, type, default, allowed values, help."""
    return [{"name": name, "type": type_name(f.annotation), "default": repr(f.default),
             "allowed": allowed_values(f), "help": f.description or ""} for name, f in fields(cls)]


def parameters_cell(cls: type[Settings]) -> str:
    """The ``parameters`` cell of a notebook, generated from its settings model.

    papermill reads each line as ``name: type = default  # help`` (``papermill
    --help-notebook`` lists them); ``Optional`` comes from :mod:`typing`.

    >>> print(parameters_cell(AuditSettings).splitlines()[2])
    input: Optional[str] = None  # figures CSV, counts table or response file; None: the bundled benchmark figures
    """
    lines = ["# Parameters: papermill injects overrides in a cell below this one", "from typing import Optional"]
    for name, f in fields(cls):
        lines.append(f"{name}: {type_name(f.annotation)} = {f.default!r}  # {f.description}")
    return "\n".join(lines)

