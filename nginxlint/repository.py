"""Where a file's repository starts, and which of its directories hold fixtures rather than deployed configs."""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

# Directories of tests, examples, benchmarks and vendored sources (glob patterns, matched against each directory
# name, ignoring case): the configs there are run by a test suite, shown to readers or shipped by another project
# (the stock conf/nginx.conf of a vendored nginx source tree), never served to the public by this one.
FIXTURE_DIRS = (
    "test", "tests", "t", "spec", "specs", "testdata", "test[-_]data", "fixture", "fixtures", "e2e", "integration",
    "*integration[-_]test", "*integration[-_]tests", "example", "examples", "benchmark", "benchmarks", "bench",
    "dev-environment", "dev-environments", "test[-_]*", "e2e[-_]*", "*[-_]test", "*[-_]tests", "*[-_]example",
    "*[-_]examples", "vendor", "vendored", "third[-_]party", "thirdparty", "deps",
)


def find_repository_root(start: Path) -> Path | None:
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return None


class Fixtures:
    """Tells whether a file lies in a fixture directory of its repository (below the directory the run started
    in when there is no repository), so that one file gets one answer however the run is started."""

    def __init__(self, patterns, base_dir: Path):
        self.patterns = [pattern.lower() for pattern in patterns]
        self.base_dir = base_dir
        self._by_directory: dict[str, bool] = {}

    def holds(self, display_path: str) -> bool:
        if not self.patterns:
            return False
        directory = os.path.dirname(os.path.abspath(os.path.join(self.base_dir, display_path)))
        hit = self._by_directory.get(directory)
        if hit is None:
            hit = self._by_directory[directory] = self._is_fixture(Path(directory))
        return hit

    def _is_fixture(self, directory: Path) -> bool:
        top = find_repository_root(directory)
        while top is not None and (top / ".git").is_file():  # a submodule: its place in the superproject counts
            outer = find_repository_root(top.parent)
            if outer is None:
                break
            top = outer
        top = top or Path(os.path.abspath(self.base_dir))
        try:
            parts = directory.relative_to(top).parts
        except ValueError:  # outside the repository and the starting directory: judge nothing
            return False
        return any(fnmatch.fnmatchcase(part.lower(), pattern) for part in parts for pattern in self.patterns)
