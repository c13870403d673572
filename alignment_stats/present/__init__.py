"""Present: results for people.

Number formatting (:mod:`numbers`), the one escaping helper (:mod:`escape`),
sentences and display tables per analysis (:mod:`audit`, :mod:`perception`,
:mod:`incentives`, :mod:`skills`, :mod:`benchmark`), crosstabs, seaborn
figures (:mod:`figures`) and writing results (:mod:`write`). Nothing here
computes a statistic: it words and draws what the analyses computed.
"""

from pathlib import Path
from typing import Any

from ..analyses import AuditResult, BenchmarkResult, IncentivesResult, PerceptionResult, SkillsResult
from . import audit, benchmark, crosstab, escape, incentives, numbers, perception, skills, write

# figures (matplotlib, seaborn) is imported where a figure is drawn, ``from alignment_stats.present import
# figures``: the report runner, which only words and checks, does not pay for pyplot.

__all__ = ["audit", "benchmark", "crosstab", "escape", "figures", "incentives", "numbers", "perception", "skills",
           "write", "write_results", "save_figure"]

_TABLES = {AuditResult: audit.results_tables, PerceptionResult: perception.results_tables,
           IncentivesResult: incentives.results_tables, SkillsResult: skills.results_tables,
           BenchmarkResult: benchmark.results_tables}


def write_results(result: Any) -> list[Path]:
    """Write an analysis result's ``results/*.csv`` into its notebook's output folder."""
    return write.write_tables(_TABLES[type(result)](result), result.settings.output_path())


def save_figure(result: Any, figure: Any, name: str) -> Path:
    """Save ``figure`` as ``figures/<name>.png`` in the output folder of ``result``'s notebook."""
    return write.save_figure(figure, result.settings.output_path(), name)
