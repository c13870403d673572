"""sources.studies: the per-study facts of ``studies.yaml`` and their validation.

References: the sample compositions are the ones the sources publish
(Leapfrog 2015: "131 executives, 81% marketing, 19% IT"; eConsultancy: "100
marketing and 110 IT professionals"; Accenture 2013: 405 CMOs and 252 CIOs),
quoted in ``data/raw/sources/SOURCES.md``; error messages are checked
against the file, line, study and field they must name, written here.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from alignment_stats.config import BUNDLED_STUDIES
from alignment_stats.schema import GROUPS, DataValidationError
from alignment_stats.sources import load_studies

MINIMAL = {
    "title": "t", "publisher": "p", "survey": "s", "population": "x",
    "groups": {"marketing": "marketers", "it": "IT leaders"},
    "sources": [{"kind": "external", "url": "https://example.org", "quote": "a quote of the source"}],
}


def _write(tmp_path: Path, content: dict | str, name: str = "studies.yaml") -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(DataValidationError) as info:
        load_studies(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_sample_compositions(studies):
    leapfrog = studies["leapfrog_2015"]
    assert leapfrog["total_n"] == 131
    assert leapfrog["group_shares"] == {"marketing": 81, "it": 19}
    assert leapfrog["max_unclassified"] is None  # not set: the run's max_unclassified applies
    assert studies["econsultancy_2015"]["group_n"] == {"marketing": 100, "it": 110}
    assert studies["accenture_2013"]["group_n"] == {"marketing": 405, "it": 252}
    assert studies["accenture_2014"]["total_n"] == 1147 and studies["accenture_2014"]["group_n"] is None


def test_every_study_names_known_groups_and_a_source(studies):
    assert len(studies) == 8
    for study_id, facts in studies.items():
        assert set(facts["groups"]) <= set(GROUPS), study_id
        assert facts["sources"], study_id


def test_bundled_file_is_the_default():
    assert load_studies() == load_studies(BUNDLED_STUDIES)


def test_new_study_fixtures(new_study):
    facts = load_studies(new_study / "studies.yaml")
    assert len(facts) == 1
    (study_id, study), = facts.items()
    expected = {"published_sizes": ("acme_2024", None, None, {"marketing": 150, "it": 120}),
                "total_and_shares": ("zenith_2023", 240, {"marketing": 60.0, "it": 40.0}, None),
                "no_sizes": ("orbit_2022", None, None, None)}[new_study.name]
    assert (study_id, study["total_n"], study["group_shares"], study["group_n"]) == expected


def test_max_unclassified_key(tmp_path):
    path = _write(tmp_path, {"my_study": {**MINIMAL, "total_n": 200, "group_shares": {"marketing": 50, "it": 50},
                                          "max_unclassified": 3}})
    assert load_studies(path)["my_study"]["max_unclassified"] == 3
    path = _write(tmp_path, {"my_study": {**MINIMAL, "total_n": 10, "group_shares": {"marketing": 50, "it": 50},
                                          "max_unclassified": 11}})
    assert "field study: max_unclassified = 11 exceeds total_n = 10" in _error(path)
    path = _write(tmp_path, {"my_study": {**MINIMAL, "max_unclassified": -1}})
    assert "study my_study, field max_unclassified: Input should be greater than or equal to 0" in _error(path)


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"groups": {"marketing": "m", "cdo": "c"}}, "field study: group 'cdo' is not known (known: marketing, it, all)"),
        ({"group_shares": {"marketing": 60, "it": 40}}, "group_shares needs total_n"),
        ({"total_n": 100, "group_shares": {"marketing": 160, "it": 40}}, ("group_shares[marketing] = 160.0 is not a "
                                                                          "percentage (0-100)")),
        ({"total_n": 100, "group_shares": {"marketing": 60, "all": 40}}, ("group_shares names 'all', which is not one "
                                                                          "of the study's groups")),
        ({"group_n": {"marketing": 0}}, "group_n[marketing] = 0 must be a positive count"),
        ({"total_n": 0}, "field total_n: Input should be greater than 0"),
        ({"colour": "red"}, "field colour: Extra inputs are not permitted"),
        ({"sources": []}, "field sources"),
        ({"sources": [{"kind": "seed", "quote": "a quote of the seed"}]}, "a seed source needs `file`"),
        ({"sources": [{"kind": "external", "quote": "a quote of the page"}]}, ("an external source needs `url` or "
                                                                               "`citation`")),
        ({"checks": [{"kind": "pooled"}]}, "a pooled check needs items"),
        ({"checks": [{"kind": "nested", "subset": "a"}]}, "a nested check needs superset"),
    ],
)
def test_bad_facts_name_file_line_study_and_field(tmp_path, change, expected):
    path = _write(tmp_path, {"first_study": MINIMAL, "my_study": {**MINIMAL, **change}})
    message = _error(path)
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("my_study:"))
    assert f"{path} line {line}, study my_study, field " in message, message
    assert expected in message, message


def test_missing_field(tmp_path):
    facts = {k: v for k, v in MINIMAL.items() if k != "population"}
    assert "study my_study, field population: Field required" in _error(_write(tmp_path, {"my_study": facts}))


def test_malformed_yaml_names_its_line(tmp_path):
    path = _write(tmp_path, "leapfrog_2015:\n  title: [unclosed\n  publisher: p\n")
    message = _error(path)
    assert "malformed YAML" in message and f"{path} line " in message


def test_not_a_mapping_and_bad_ids(tmp_path):
    assert "expected a mapping of study ids to study facts" in _error(_write(tmp_path, "- a\n- b\n"))
    assert "study id 'Leapfrog 2015' must be a snake_case id" in _error(_write(tmp_path, {"Leapfrog 2015": MINIMAL}))
    assert "study s: expected a mapping of facts" in _error(_write(tmp_path, "s: just text\n"))


def test_yaml_tags_never_execute(tmp_path):
    marker = tmp_path / "executed"
    path = _write(tmp_path, f"s: !!python/object/apply:os.system ['touch {marker}']\n")
    assert "malformed YAML" in _error(path)
    assert not marker.exists()


def test_empty_missing_and_directory(tmp_path):
    assert "studies file is empty" in _error(_write(tmp_path, "\n"))
    with pytest.raises(DataValidationError, match="studies file not found"):
        load_studies(tmp_path / "absent.yaml")
    with pytest.raises(DataValidationError) as info:
        load_studies(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, not a studies file"


def test_line_number_is_the_study_line(tmp_path):
    text = textwrap.dedent("""\
        # a comment
        good_study:
          title: t
          publisher: p
          survey: s
          population: x
          groups: {marketing: m}
          sources: [{kind: external, url: "https://example.org", quote: "a quote here"}]

        bad_study:
          title: t
          publisher: p
          survey: s
          population: x
          groups: {marketing: m}
          total_n: many
          sources: [{kind: external, url: "https://example.org", quote: "a quote here"}]
        """)
    message = _error(_write(tmp_path, text))
    assert "line 10, study bad_study, field total_n:" in message
