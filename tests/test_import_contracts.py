"""The layers of docs/architecture.md hold on the real import graph (import-linter,
configured in pyproject.toml): `live` imports no project app, inside `community`
nothing imports upwards, services and queries stay apart, and no sibling modules
import each other in a cycle."""

import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    result = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
