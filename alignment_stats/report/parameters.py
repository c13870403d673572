"""Notebook parameters: typed, checked against the notebook's settings model, with paths made absolute.

A value from the command line is text (``-p alpha=0.01``); one from
``runs.yaml`` or Python is typed. Either way the notebook's settings model
(or, for another notebook, the type its parameters cell declares) converts
and checks it; ``None`` (the text ``None``) is accepted where the parameter
admits it, and a list parameter takes comma-separated text. Paths given
relative (``input``, ``codebook``, ``studies``, ``claims``) are made absolute
from ``base`` (the caller's folder, or the folder of ``runs.yaml``) so the
kernels, which run in the project root, read the same files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..analyses.settings import Settings, describe, settings_error, type_name
from ..sources.paths import resolve
from .errors import ReportError
from .notebooks import Declared

__all__ = ["PATH_PARAMETERS", "RESERVED", "notebook_values", "check_known", "text_value", "parameter_help"]

#: Parameters that name files: relative ones are resolved from the caller's folder.
PATH_PARAMETERS = ("input", "codebook", "studies", "claims")
#: Set by the runner, never by the user.
RESERVED = ("output_dir",)
_TRUE, _FALSE = {"true", "1", "yes", "y", "on"}, {"false", "0", "no", "n", "off"}


def text_value(text: str, type_name: str) -> Any:
    """A command-line string as the value of a parameter of type ``type_name`` (``int``, ``Optional[str]``, ...).

    >>> text_value("0.01", "float"), text_value("None", "Optional[int]"), text_value("a, b", "Optional[list[str]]")
    (0.01, None, ['a', 'b'])
    """
    optional = type_name.startswith("Optional[")
    inner = type_name[9:-1] if optional else type_name
    stripped = text.strip()
    if optional and stripped == "None":
        return None
    if inner.startswith("list["):
        return [part.strip() for part in stripped.split(",") if part.strip()]
    if inner == "bool":
        if stripped.lower() in _TRUE:
            return True
        if stripped.lower() in _FALSE:
            return False
        raise ValueError("is not true/false")
    if inner in ("int", "float"):
        try:
            return int(stripped) if inner == "int" else float(stripped)
        except ValueError:
            raise ValueError(f"is not {'a whole number' if inner == 'int' else 'a number'}") from None
    return text


def _type_of(declared: Declared, name: str) -> str:
    if declared.model is not None:
        return type_name(declared.model.model_fields[name].annotation)
    return declared.types.get(name, "str")


def check_known(params: Mapping[str, Any], declared: list[Declared], lenient: bool = False) -> None:
    """Every parameter must be declared by some notebook; ``output_dir`` is the runner's.

    Raises
    ------
    ReportError
        ``output_dir`` given, or a parameter no notebook declares (listing the known ones).
    """
    if any(name in params for name in RESERVED):
        raise ReportError("parameter output_dir is set by the report runner (each notebook writes into its own "
                          "folder of the run); choose the report folder with --out instead")
    known = sorted({n for d in declared for n in d.names} - set(RESERVED))
    for name in params:
        if name not in known:
            where = "no notebook" if lenient else "no selected notebook"
            raise ReportError(f"unknown parameter {str(name)[:200]!r}: {where} declares it; known parameters: "
                              f"{', '.join(known) or 'none besides output_dir'}")


def notebook_values(declared: Declared, params: Mapping[str, Any], base: str | Path | None = None
                    ) -> tuple[dict[str, Any], Settings | None]:
    """The parameters one notebook gets, converted and checked, and its validated settings (analysis notebooks).

    Parameters
    ----------
    declared : Declared
        What the notebook declares.
    params : mapping
        Every parameter of the run; the notebook gets those it declares.
    base : str or Path, optional
        Folder relative paths are taken from (default: the current folder).

    Raises
    ------
    ReportError
        One line naming the parameter, the notebook and the rule broken.
    """
    name = declared.path.stem
    values: dict[str, Any] = {}
    for key, value in params.items():
        if key not in declared.names:
            continue
        if isinstance(value, str):
            try:
                value = text_value(value, _type_of(declared, key))
            except ValueError as exc:
                shown = repr(value) if len(repr(value)) <= 200 else repr(value)[:196] + "...'"
                raise ReportError(f"parameter {key} of {name}: {shown} {exc}") from None
        if key in PATH_PARAMETERS and isinstance(value, (str, Path)) and str(value).strip():
            value = str(resolve(value, base if base is not None else Path.cwd()))
        values[key] = value
    if declared.model is not None and "input" in values and "codebook" in declared.names and "codebook" not in params:
        values["codebook"] = None  # an input given without codebook is never paired with a notebook's default one
    if declared.model is None:
        return values, None
    try:
        settings = declared.model(**values)
    except ValidationError as exc:
        raise ReportError(settings_error(exc, name)) from None
    return values, settings


def parameter_help(declared: list[Declared]) -> str:
    """Every parameter of each notebook, as ``alignment-stats params`` prints it.

    One block per notebook; one line per parameter (``name: type = default``,
    then the allowed values) and its help below it. ``output_dir`` is left
    out: the runner sets it.
    """
    blocks = []
    for d in declared:
        lines = [f"{d.path.stem}" + (f" ({d.model.__doc__.strip().splitlines()[0]})" if d.model is not None
                                     and d.model.__doc__ else "")]
        if d.model is not None:
            rows = [r for r in describe(d.model) if r["name"] not in RESERVED]
        else:
            rows = [{"name": n, "type": t, "default": "", "allowed": "any", "help": ""} for n, t in d.types.items()
                    if n not in RESERVED]
        for row in rows:
            allowed = "" if row["allowed"] == "any" else f"  [{row['allowed']}]"
            default = f" = {row['default']}" if row["default"] else ""
            lines.append(f"  {row['name']}: {row['type']}{default}{allowed}")
            if row["help"]:
                lines.append(f"      {row['help']}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
