"""pytest's root configuration: the test folders' conftest.py files are fixtures, not doctest modules.

``make test`` runs ``--doctest-modules`` over the package and the tests in one
run; without this hook the doctest collector would import every
``tests/**/conftest.py`` under the one module name ``conftest`` and stop at
the second.
"""


def pytest_ignore_collect(collection_path, config):
    if collection_path.name == "conftest.py" and collection_path.parent.name != collection_path.anchor:
        return True if "tests" in collection_path.parts else None
    return None
