"""Check that no corpus narration is a near-copy of an ISEAR narration (leakage guard).

    python scripts/check_isear_overlap.py [--threshold 0.9]

The corpus writers never saw ISEAR; this confirms it on the texts themselves. Prints only
counts and similarity percentiles (never ISEAR's texts) and exits 1 when a corpus row's
content cosine to some ISEAR narration reaches the threshold.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.datasets import cached_encodings, load_corpus, load_isear
from services.core.embedding import Embedder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, default=0.9)
    args = parser.parse_args()
    embedder = Embedder()
    corpus = load_corpus()
    corpus_vectors = cached_encodings([r.text for r in corpus], embedder).content
    isear_vectors = cached_encodings([r.text for r in load_isear()], embedder).content
    nearest = np.concatenate(
        [
            (corpus_vectors[start : start + 1024] @ isear_vectors.T).max(axis=1)
            for start in range(0, len(corpus_vectors), 1024)
        ]
    )
    flagged = [corpus[i].id for i in np.where(nearest >= args.threshold)[0]]
    p50, p99 = np.percentile(nearest, [50, 99])
    print(
        f"{len(corpus)} corpus rows vs {len(isear_vectors)} ISEAR narrations: nearest-neighbour "
        f"cosine median {p50:.3f}, p99 {p99:.3f}, max {nearest.max():.3f}; "
        f"{len(flagged)} at or above {args.threshold}: {flagged}"
    )
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
