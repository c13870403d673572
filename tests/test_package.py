"""The package's public names resolve, lazily, to documented callables."""

import importlib
import subprocess
import sys

import alignment_stats


def test_every_public_name_resolves_and_is_documented():
    for name in alignment_stats.__all__:
        value = getattr(alignment_stats, name)
        if callable(value):
            if name in {"DataValidationError", "run_report"}:  # an exception; runs notebooks (tested in test_report)
                continue
            assert value.__doc__ and "Examples" in value.__doc__, name


def test_unknown_name_raises_attribute_error():
    try:
        alignment_stats.calc2  # noqa: B018
    except AttributeError as exc:
        assert "calc2" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("no AttributeError")


def test_import_is_lazy():
    # importing the package must not import statsmodels (slow) until a name needs it
    code = "import sys, alignment_stats; print('statsmodels' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert importlib.import_module("alignment_stats.data")
