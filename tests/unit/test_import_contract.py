"""The import contract in pyproject.toml ([tool.importlinter]) holds on this repository,
and it does catch an area importing one above it, in a copy of the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Installed with the dev extras next to this interpreter, like pytest itself.
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> tuple[int, str]:
    """Run lint-imports on the interviews package and the pyproject.toml found in `cwd`;
    return its exit code and its output, with the line wrapping undone.

    lint-imports puts its working directory first on the import path; PYTHONPATH says it
    again so that a copy is analysed rather than the installed package.
    """
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, " ".join((result.stdout + result.stderr).split())


@pytest.fixture
def copy_of_repo(tmp_path: Path) -> Path:
    """The interviews package and pyproject.toml, copied where a test may change them."""
    shutil.copytree(
        REPO / "interviews", tmp_path / "interviews", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_repository_keeps_every_import_contract():
    code, output = _lint_imports(REPO)
    assert code == 0, output
    assert "0 broken" in output


def test_an_area_importing_one_above_it_breaks_the_layers_contract(copy_of_repo: Path):
    rules = copy_of_repo / "interviews" / "studies" / "rules.py"
    rules.write_text(
        rules.read_text() + "\nfrom interviews.reports import digest  # noqa: E402, F401\n"
    )

    code, output = _lint_imports(copy_of_repo)

    assert code == 1, output
    assert "interviews.studies is not allowed to import interviews.reports" in output
    assert "interviews.studies.rules -> interviews.reports.digest" in output


def test_an_ignored_import_that_no_longer_exists_fails_so_no_stale_exception_stays(
    copy_of_repo: Path,
):
    # The layers contract ignores nothing now; an exception someone adds must match an import.
    pyproject = copy_of_repo / "pyproject.toml"
    text = pyproject.read_text()
    assert "ignore_imports" not in text
    assert text.count("exhaustive = true\n") == 1
    pyproject.write_text(
        text.replace(
            "exhaustive = true\n",
            "exhaustive = true\n"
            'ignore_imports = ["interviews.mail.service -> interviews.reports.digest"]\n',
        )
    )

    code, output = _lint_imports(copy_of_repo)

    assert code == 1, output
    assert "No matches for ignored import interviews.mail.service -> interviews.reports.digest" in (
        output
    )
