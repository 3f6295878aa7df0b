"""Agreement between the corpus labels and a blind relabelling of a random sample.

    python scripts/label_agreement.py [data/narratives/qa/blind_relabel.jsonl]

The relabeller saw only the texts and the labelling guide, never the original labels.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.datasets import load_corpus
from services.core.analyzer.labels import APPRAISAL_DIMENSIONS, EMOTION_FAMILIES

DEFAULT = Path(__file__).resolve().parents[1] / "data" / "narratives" / "qa" / "blind_relabel.jsonl"


def cohen_kappa(a: list[str], b: list[str]) -> float:
    observed = np.mean([x == y for x, y in zip(a, b, strict=True)])
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / len(a) ** 2
    return float((observed - expected) / (1 - expected))


def main(path: Path) -> None:
    original = {row.id: row for row in load_corpus()}
    relabels = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    pairs = [(original[r["id"]], r) for r in relabels if r["id"] in original]

    def primary(emotions: dict[str, float]) -> str:
        return max(emotions, key=lambda name: emotions[name])

    first = [primary(o.emotions) for o, _ in pairs]
    second = [primary(r["emotions"]) for _, r in pairs]
    fam_first = [EMOTION_FAMILIES[e] for e in first]
    fam_second = [EMOTION_FAMILIES[e] for e in second]
    # Batch 5's texts are about someone else: is what *they* feel as easy to agree on?
    by_view: dict[str, list[bool]] = {}
    for (row, _), a, b in zip(pairs, fam_first, fam_second, strict=True):
        by_view.setdefault(row.perspective, []).append(a == b)
    report = {
        "n": len(pairs),
        "primary_emotion_agreement": round(
            float(np.mean([a == b for a, b in zip(first, second, strict=True)])), 3
        ),
        "primary_emotion_kappa": round(cohen_kappa(first, second), 3),
        "family_agreement": round(
            float(np.mean([a == b for a, b in zip(fam_first, fam_second, strict=True)])), 3
        ),
        "family_kappa": round(cohen_kappa(fam_first, fam_second), 3),
        "family_agreement_by_perspective": {
            name: round(float(np.mean(agreed)), 3) for name, agreed in sorted(by_view.items())
        },
        "theme_agreement": round(float(np.mean([o.theme == r["theme"] for o, r in pairs])), 3),
        "appraisal": {},
    }
    for name in APPRAISAL_DIMENSIONS:
        a = np.array([o.appraisal[name] for o, _ in pairs])
        b = np.array([r["appraisal"][name] for _, r in pairs])
        report["appraisal"][name] = {
            "mae": round(float(np.abs(a - b).mean()), 3),
            "within_one_step": round(float(np.mean(np.abs(a - b) <= 0.25)), 3),
            "pearson_r": round(float(np.corrcoef(a, b)[0, 1]), 3),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
