"""Retrieval quality on ISEAR: does the top memory share the target's emotion?

    python bench/retrieval_isear.py [--trials 1000] [--seed 7]

Simulated users: per trial a pool of 21 ISEAR narrations (3 per emotion, none from the
target's respondent) and one target. Compares, on the same trials in the same run,
(a) plain content-embedding cosine and (b) this service's ranking (emotion vector from
the shipped analyzer + content tie-break + MMR, services/retrieval/ranking.py).
ISEAR is evaluation only; nothing here is tuned on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.datasets import cached_encodings, load_isear
from devtools.pools import make_trials
from services.core.analyzer.offline import OfflineAnalyzer, default_vector_weights
from services.core.embedding import Embedder
from services.retrieval.ranking import RankingConfig, rank

ORDINAL_COLUMNS = ("EXPC", "PLEA", "PLAN", "FAIR", "MORL", "SELF", "RELA", "INTS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rows = load_isear()
    embedder = Embedder()
    analyzer = OfflineAnalyzer()
    weights = default_vector_weights(analyzer)
    texts = [r.text for r in rows]
    encoded = cached_encodings(texts, embedder)
    content = encoded.content
    analyses = analyzer.analyze(texts, encoded.layers)
    emotion = np.stack([analyzer.vector(a, weights) for a in analyses])
    families = [r.emotion for r in rows]
    trials = make_trials(families, [r.respondent for r in rows], trials=args.trials, seed=args.seed)
    config = RankingConfig()
    rng = np.random.default_rng(args.seed)

    def content_top3(target: int, pool: list[int]) -> list[int]:
        scores = content[pool] @ content[target]
        return [pool[i] for i in np.argsort(-scores, kind="stable")[:3]]

    def service_top3(target: int, pool: list[int]) -> list[int]:
        chosen = rank(
            emotion[pool] @ emotion[target],
            content[pool],
            content[target],
            3,
            config,
        )
        return [pool[r.index] for r in chosen]

    results: dict[str, dict[str, list[float]]] = {"content_cosine": {}, "service": {}}
    closeness: dict[str, list[float]] = {
        "service_top1": [],
        "content_top1": [],
        "random_member": [],
    }
    cause_agree: dict[str, list[bool]] = {
        "service_top1": [],
        "content_top1": [],
        "random_member": [],
    }
    for name in results:
        results[name] = {"top1": [], "p_at_3": []}
    for trial in trials:
        pool = list(trial.pool)
        wanted = families[trial.target]
        picks = {
            "content_cosine": content_top3(trial.target, pool),
            "service": service_top3(trial.target, pool),
        }
        for name, top in picks.items():
            results[name]["top1"].append(families[top[0]] == wanted)
            results[name]["p_at_3"].append(sum(families[i] == wanted for i in top) / 3)
        others = {
            "service_top1": picks["service"][0],
            "content_top1": picks["content_cosine"][0],
            "random_member": int(rng.choice(pool)),
        }
        target_answers = rows[trial.target].answers
        for name, member in others.items():
            answers = rows[member].answers
            gaps = [
                abs(answers[c] - target_answers[c])
                for c in ORDINAL_COLUMNS
                if answers[c] > 0 and target_answers[c] > 0
            ]
            if gaps:
                closeness[name].append(float(np.mean(gaps)))
            if answers["CAUS"] > 0 and target_answers["CAUS"] > 0:
                cause_agree[name].append(answers["CAUS"] == target_answers["CAUS"])

    summary = {
        name: {metric: round(float(np.mean(values)), 3) for metric, values in scores.items()}
        for name, scores in results.items()
    }
    report = {
        "trials": len(trials),
        "seed": args.seed,
        "isear_rows": len(rows),
        "chance_top1": round(3 / 21, 3),
        **summary,
        "service_vs_content_top1_ratio": round(
            summary["service"]["top1"] / summary["content_cosine"]["top1"], 2
        ),
        "appraisal_answer_gap_mean_abs": {
            k: round(float(np.mean(v)), 3) for k, v in closeness.items()
        },
        "same_cause_rate": {k: round(float(np.mean(v)), 3) for k, v in cause_agree.items()},
        "analyzer": analyzer.version,
        "ranking": config.version,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
