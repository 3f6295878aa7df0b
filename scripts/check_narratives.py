"""Check the narrative corpus (data/narratives/*.jsonl) against the label vocabulary.

Usage: python scripts/check_narratives.py [FILE ...]   (default: every corpus file)
Exits 1 and prints each bad line when a row breaks the schema.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.core.analyzer.labels import APPRAISAL_DIMENSIONS, EMOTIONS, THEMES

CORPUS_DIR = Path(__file__).resolve().parents[1] / "data" / "narratives"
STYLES = {"plain", "indirect", "short", "long", "nonnative"}


def row_problems(row: dict) -> list[str]:
    problems = []
    text = row.get("text")
    if not isinstance(text, str) or not 8 <= len(text) <= 4000:
        problems.append("text missing or not 8..4000 chars")
    emotions = row.get("emotions")
    if not isinstance(emotions, dict) or not 1 <= len(emotions) <= 3:
        problems.append("emotions must be a dict of 1..3 entries")
    else:
        for name, weight in emotions.items():
            if name not in EMOTIONS:
                problems.append(f"unknown emotion {name!r}")
            elif not isinstance(weight, (int, float)) or not 0 < weight <= 1:
                problems.append(f"emotion weight {name}={weight!r} not in (0, 1]")
    appraisal = row.get("appraisal")
    if not isinstance(appraisal, dict) or set(appraisal) != set(APPRAISAL_DIMENSIONS):
        problems.append("appraisal must have exactly the 14 dimensions")
    else:
        for name, value in appraisal.items():
            if value not in (0, 0.25, 0.5, 0.75, 1):
                problems.append(f"appraisal {name}={value!r} not one of 0, .25, .5, .75, 1")
    if row.get("theme") not in THEMES:
        problems.append(f"unknown theme {row.get('theme')!r}")
    if row.get("style") not in STYLES:
        problems.append(f"style must be one of {sorted(STYLES)}")
    if row.get("perspective", "self") not in ("self", "other"):
        problems.append("perspective, when given, must be 'self' or 'other'")
    if not isinstance(row.get("domain"), str) or not isinstance(row.get("id"), str):
        problems.append("id and domain must be strings")
    return problems


def main(paths: list[Path]) -> int:
    bad = 0
    ids: Counter[str] = Counter()
    primaries: Counter[str] = Counter()
    total = 0
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            total += 1
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path.name}:{number}: not JSON ({exc})")
                bad += 1
                continue
            problems = row_problems(row)
            if problems:
                bad += 1
                print(f"{path.name}:{number}: " + "; ".join(problems))
                continue
            ids[row["id"]] += 1
            primaries[max(row["emotions"], key=row["emotions"].get)] += 1
    for duplicate, count in ids.items():
        if count > 1:
            print(f"duplicate id {duplicate} ({count}x)")
            bad += 1
    print(f"{total} rows, {bad} bad; primary emotions: {dict(primaries.most_common())}")
    return 1 if bad else 0


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]] or sorted(CORPUS_DIR.glob("*.jsonl"))
    sys.exit(main(args))
