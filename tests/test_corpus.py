"""The training corpus in data/narratives/ stays valid: every row passes the checker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_checker(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / "check_narratives.py"), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_corpus_row_passes_the_checker() -> None:
    result = run_checker()
    assert result.returncode == 0, result.stdout[-2000:]
    assert " 0 bad" in result.stdout


def test_the_checker_names_bad_rows(tmp_path: Path) -> None:
    good = (REPO / "data" / "narratives" / "oba-01.jsonl").read_text().splitlines()[0]
    row = json.loads(good)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        "\n".join(
            [
                json.dumps({**row, "id": "x-1", "perspective": "theirs"}),
                json.dumps({**row, "id": "x-2", "emotions": {"glee": 1.0}}),
                json.dumps({**row, "id": "x-3"}),
                json.dumps({**row, "id": "x-3"}),
            ]
        )
    )
    result = run_checker(bad)
    assert result.returncode == 1
    assert "perspective" in result.stdout
    assert "unknown emotion 'glee'" in result.stdout
    assert "duplicate id x-3" in result.stdout
