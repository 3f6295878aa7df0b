"""How high can ISEAR retrieval go when the target is read as well as ISEAR allows?

    python bench/retrieval_ceiling.py [--trials 1000] [--seed 7]

An analysis, not a model: it fits a logistic head on ISEAR itself (5-fold, grouped by
respondent, so no one's narrations are read by a head that saw them) — the in-domain
ceiling the issue quotes (about 0.62) and that nothing shipped may use. The heads are
never saved. With their out-of-fold probabilities it runs the same trials as
bench/retrieval_isear.py and ranks each pool by the probability that a member shares the
target's emotion, p(target) · p(member) (the best ranking for top-1 when the probabilities
are calibrated), with the service's content tie-break and MMR. The output bounds what
any offline analyzer of this accuracy can reach on the top-1 target; the shipped
analyzer's own numbers are bench/retrieval_isear.py's.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.datasets import cached_encodings, load_isear
from devtools.pools import make_trials
from services.core.analyzer.labels import FAMILIES
from services.core.analyzer.offline import OfflineAnalyzer, layer_features
from services.core.embedding import Embedder
from services.retrieval.ranking import RankingConfig, rank


def out_of_fold_probabilities(
    x: np.ndarray, labels: np.ndarray, groups: np.ndarray, seed: int
) -> np.ndarray:
    probabilities = np.zeros((len(x), len(FAMILIES)), dtype=np.float32)
    for fit, held_out in GroupKFold(n_splits=5).split(x, labels, groups):
        head = LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
        head.fit(x[fit], labels[fit])
        probabilities[held_out] = head.predict_proba(x[held_out])
    return probabilities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rows = [r for r in load_isear() if r.emotion in FAMILIES]
    families = np.array([r.emotion for r in rows])
    labels = np.array([FAMILIES.index(f) for f in families])
    encoded = cached_encodings([r.text for r in rows], Embedder())
    # The same input the shipped heads read, so only the training data differs.
    x = layer_features(encoded.layers, OfflineAnalyzer().input_layers)
    groups = np.array([r.respondent for r in rows])
    probabilities = out_of_fold_probabilities(x, labels, groups, args.seed)
    accuracy = float(np.mean(probabilities.argmax(1) == labels))

    trials = make_trials(list(families), list(groups), trials=args.trials, seed=args.seed)
    config = RankingConfig()
    top1, precision_at_3, content_top1 = [], [], []
    for trial in trials:
        pool = list(trial.pool)
        wanted = families[trial.target]
        nearest = pool[int(np.argmax(encoded.content[pool] @ encoded.content[trial.target]))]
        content_top1.append(families[nearest] == wanted)
        same_emotion = probabilities[pool] @ probabilities[trial.target]
        chosen = rank(same_emotion, encoded.content[pool], encoded.content[trial.target], 3, config)
        picked = [families[pool[r.index]] for r in chosen]
        top1.append(picked[0] == wanted)
        precision_at_3.append(sum(f == wanted for f in picked) / 3)

    print(
        json.dumps(
            {
                "trials": len(trials),
                "seed": args.seed,
                "isear_rows": len(rows),
                "in_domain_head_accuracy": round(accuracy, 3),
                "top1": round(float(np.mean(top1)), 3),
                "p_at_3": round(float(np.mean(precision_at_3)), 3),
                "content_cosine_top1": round(float(np.mean(content_top1)), 3),
                "top1_vs_content": round(float(np.mean(top1) / np.mean(content_top1)), 2),
                "ranking": config.version,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
