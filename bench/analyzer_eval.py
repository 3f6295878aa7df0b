"""Evaluate the shipped offline analyzer: held-out corpus, GoEmotions test, ISEAR, speed.

    python bench/analyzer_eval.py [--skip-goemotions] [--speed-runs 200]

ISEAR (../shared/data/isear/) is evaluation only: nothing here feeds back into training.
Prints one JSON report; docs/BENCHMARKS.md records it with the date and machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.datasets import (
    Narrative,
    cached_encodings,
    load_corpus,
    load_goemotions,
    load_isear,
    with_third_person,
)
from services.core.analyzer.labels import APPRAISAL_DIMENSIONS, EMOTION_FAMILIES, EMOTIONS, FAMILIES
from services.core.analyzer.offline import OfflineAnalyzer, family_scores
from services.core.embedding import Embedder

APPRAISALS = tuple(APPRAISAL_DIMENSIONS)


def emotion_matrix(analyses: list) -> np.ndarray:
    return np.array(
        [[a.structure.emotions[e] for e in EMOTIONS] for a in analyses], dtype=np.float32
    )


def appraisal_matrix(analyses: list) -> np.ndarray:
    return np.array(
        [[a.structure.appraisal[d] for d in APPRAISALS] for a in analyses], dtype=np.float32
    )


def corpus_report(analyzer: OfflineAnalyzer, embedder: Embedder, rows: list[Narrative]) -> dict:
    texts = [r.text for r in rows]
    analyses = analyzer.analyze(texts, cached_encodings(texts, embedder).layers)
    probs = emotion_matrix(analyses)
    predicted = [EMOTIONS[i] for i in probs.argmax(1)]
    truth = [r.primary_emotion for r in rows]
    f1 = {}
    for name in EMOTIONS:
        tp = sum(p == t == name for p, t in zip(predicted, truth, strict=True))
        fp = sum(p == name != t for p, t in zip(predicted, truth, strict=True))
        fn = sum(t == name != p for p, t in zip(predicted, truth, strict=True))
        if tp + fn:
            f1[name] = round(2 * tp / (2 * tp + fp + fn), 3)
    fam_true = [EMOTION_FAMILIES[t] for t in truth]
    fam_pred = [FAMILIES[i] for i in family_scores(probs).argmax(1)]
    scored = [i for i, f in enumerate(fam_true) if f in FAMILIES]
    true_a = np.array([[r.appraisal[d] for d in APPRAISALS] for r in rows])
    pred_a = appraisal_matrix(analyses)
    return {
        "n": len(rows),
        "primary_emotion_macro_f1": round(float(np.mean(list(f1.values()))), 3),
        "per_emotion_f1": f1,
        "family_accuracy": round(float(np.mean([fam_pred[i] == fam_true[i] for i in scored])), 3),
        "appraisal": {
            d: {
                "mae": round(float(np.abs(true_a[:, j] - pred_a[:, j]).mean()), 3),
                "pearson_r": round(float(np.corrcoef(true_a[:, j], pred_a[:, j])[0, 1]), 3),
            }
            for j, d in enumerate(APPRAISALS)
        },
        "theme_accuracy": round(
            float(
                np.mean(
                    [a.structure.theme.name == r.theme for a, r in zip(analyses, rows, strict=True)]
                )
            ),
            3,
        ),
    }


def goemotions_report(analyzer: OfflineAnalyzer, embedder: Embedder) -> dict:
    """Macro-F1 over the 28 labels. Predicted set = argmax plus every label above a threshold
    chosen on GoEmotions' dev split (never on test)."""

    def predict(probs: np.ndarray, threshold: float) -> list[set[int]]:
        return [{int(p.argmax())} | {int(i) for i in np.where(p >= threshold)[0]} for p in probs]

    def macro_f1(pred: list[set[int]], gold: list[list[int]]) -> float:
        scores = []
        for label in range(len(EMOTIONS)):
            tp = sum(label in p and label in g for p, g in zip(pred, gold, strict=True))
            fp = sum(label in p and label not in g for p, g in zip(pred, gold, strict=True))
            fn = sum(label not in p and label in g for p, g in zip(pred, gold, strict=True))
            scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
        return float(np.mean(scores))

    dev_texts, dev_gold = load_goemotions("dev")
    dev_layers = cached_encodings(dev_texts, embedder).layers
    dev_probs = emotion_matrix(analyzer.analyze(dev_texts, dev_layers))
    thresholds = [0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1.01]
    best = max(thresholds, key=lambda t: macro_f1(predict(dev_probs, t), dev_gold))
    texts, gold = load_goemotions("test")
    probs = emotion_matrix(analyzer.analyze(texts, cached_encodings(texts, embedder).layers))
    return {
        "n": len(texts),
        "threshold_from_dev": best,
        "macro_f1": round(macro_f1(predict(probs, best), gold), 3),
    }


def isear_report(analyzer: OfflineAnalyzer, embedder: Embedder) -> dict:
    rows = load_isear()
    texts = [r.text for r in rows]
    analyses = analyzer.analyze(texts, cached_encodings(texts, embedder).layers)
    families = family_scores(emotion_matrix(analyses))
    predicted = [FAMILIES[i] for i in families.argmax(1)]
    truth = [r.emotion for r in rows]
    confusion = Counter(zip(truth, predicted, strict=True))
    appraisal = appraisal_matrix(analyses)

    def correlate(column: str, dimension: str) -> dict:
        answers = np.array([r.answers[column] for r in rows], dtype=float)
        mask = answers > 0  # 0 = not answered
        rho = spearmanr(answers[mask], appraisal[mask, APPRAISALS.index(dimension)]).statistic
        return {
            "isear": column,
            "ours": dimension,
            "spearman": round(float(rho), 3),
            "n": int(mask.sum()),
        }

    cause = np.array([r.answers["CAUS"] for r in rows])
    who = appraisal[
        :,
        [
            APPRAISALS.index(d)
            for d in ("self_responsibility", "other_responsibility", "circumstance_responsibility")
        ],
    ]
    cause_mask = cause > 0
    cause_truth = np.select(
        [cause == 1, (cause == 2) | (cause == 3), cause == 4], [0, 1, 2], default=-1
    )
    cause_accuracy = float(np.mean(who[cause_mask].argmax(1) == cause_truth[cause_mask]))
    return {
        "n": len(rows),
        "family_accuracy": round(
            float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)])), 3
        ),
        "per_family_recall": {
            f: round(
                confusion[(f, f)] / max(1, sum(v for (t, _), v in confusion.items() if t == f)), 3
            )
            for f in FAMILIES
        },
        "appraisal_correlations": [
            # In this extract a higher PLEA means MORE unpleasant: a negative rho is agreement.
            correlate("PLEA", "pleasantness"),
            correlate("FAIR", "unfairness"),
            correlate("SELF", "self_esteem_threat"),
            correlate("PLAN", "goal_obstruction"),
            correlate("MORL", "norm_violation"),
            correlate("INTS", "intensity"),
        ],
        "cause_accuracy_self_other_circumstance": round(cause_accuracy, 3),
        "cause_chance": round(
            float(max(np.bincount(cause_truth[cause_mask] + 1)[1:]) / cause_mask.sum()), 3
        ),
    }


def speed_report(analyzer: OfflineAnalyzer, embedder: Embedder, runs: int) -> dict:
    texts = [r.text for r in load_corpus()][:320]
    embedder.encode_layers(texts[:32])  # warm-up
    single_total, single_analyzer = [], []
    for text in texts[:runs]:
        started = time.perf_counter()
        encoded = embedder.encode_layers([text])
        middle = time.perf_counter()
        analyzer.analyze([text], encoded.layers)
        ended = time.perf_counter()
        single_total.append((ended - started) * 1000)
        single_analyzer.append((ended - middle) * 1000)
    started = time.perf_counter()
    layers = embedder.encode_layers(texts).layers
    embed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(0, len(texts), 32):
        analyzer.analyze(texts[i : i + 32], layers[i : i + 32])
    analyze_seconds = time.perf_counter() - started
    return {
        "single_text_ms_p50_with_embedding": round(statistics.median(single_total), 2),
        "single_text_ms_p50_analyzer_only": round(statistics.median(single_analyzer), 3),
        "batch32_texts_per_s_with_embedding": round(
            len(texts) / (embed_seconds + analyze_seconds), 1
        ),
        "batch32_texts_per_s_analyzer_only": round(len(texts) / analyze_seconds, 1),
        "analyzer_ms_per_text_in_batches": round(analyze_seconds / len(texts) * 1000, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-goemotions", action="store_true")
    parser.add_argument("--speed-runs", type=int, default=200)
    args = parser.parse_args()
    embedder = Embedder()
    analyzer = OfflineAnalyzer()
    test_rows = [r for r in load_corpus() if r.split == "test"]
    # The same narrations told of someone else (mechanically), and the rows written about
    # someone else in the first place: targets are other people's situations.
    third_person = [r for r in with_third_person(test_rows) if r.source_id]
    about_others = [r for r in test_rows if r.perspective == "other"]
    summary = ("n", "family_accuracy", "primary_emotion_macro_f1", "theme_accuracy")
    report = {
        "analyzer": analyzer.version,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "corpus_test": corpus_report(analyzer, embedder, test_rows),
        "corpus_test_third_person": {
            k: v for k, v in corpus_report(analyzer, embedder, third_person).items() if k in summary
        },
        "corpus_test_about_others": {
            k: v for k, v in corpus_report(analyzer, embedder, about_others).items() if k in summary
        },
        "isear": isear_report(analyzer, embedder),
        "speed": speed_report(analyzer, embedder, args.speed_runs),
    }
    if not args.skip_goemotions:
        report["goemotions_test"] = goemotions_report(analyzer, embedder)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
