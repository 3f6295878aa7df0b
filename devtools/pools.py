"""Simulated users for retrieval evaluation: pools of memories and one target each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from services.core.analyzer.labels import FAMILIES


@dataclass(frozen=True)
class PoolTrial:
    target: int  # index of the target item
    pool: tuple[int, ...]  # indices of the memories


def make_trials(
    families: Sequence[str],
    owners: Sequence[str],
    *,
    trials: int,
    per_family: int = 3,
    seed: int = 7,
) -> list[PoolTrial]:
    """Each pool holds ``per_family`` items of each of the seven families, none from the
    target's owner (so a respondent's own wording never helps)."""
    rng = np.random.default_rng(seed)
    by_family: dict[str, np.ndarray] = {
        f: np.array([i for i, fam in enumerate(families) if fam == f]) for f in FAMILIES
    }
    candidates = np.array([i for i, fam in enumerate(families) if fam in FAMILIES])
    result = []
    for _ in range(trials):
        target = int(rng.choice(candidates))
        pool: list[int] = []
        for family in FAMILIES:
            members = [m for m in by_family[family] if owners[m] != owners[target] and m != target]
            pool.extend(int(m) for m in rng.choice(members, size=per_family, replace=False))
        result.append(PoolTrial(target, tuple(pool)))
    return result


def score_trials(
    trials: Sequence[PoolTrial],
    families: Sequence[str],
    similarity: Callable[[int, Sequence[int]], np.ndarray],
    appraisal: np.ndarray | None = None,
) -> dict[str, float]:
    """Top-1 same-family accuracy and precision at 3 of a similarity function; with labelled
    ``appraisal`` rows, also the mean absolute appraisal gap between target and top-1."""
    top1, p_at_3, gaps = [], [], []
    for trial in trials:
        scores = similarity(trial.target, trial.pool)
        order = np.argsort(-scores, kind="stable")
        wanted = families[trial.target]
        ranked = [families[trial.pool[i]] for i in order[:3]]
        top1.append(ranked[0] == wanted)
        p_at_3.append(sum(f == wanted for f in ranked) / 3)
        if appraisal is not None:
            best = trial.pool[order[0]]
            gaps.append(float(np.abs(appraisal[best] - appraisal[trial.target]).mean()))
    result = {"top1": float(np.mean(top1)), "p_at_3": float(np.mean(p_at_3)), "trials": len(trials)}
    if gaps:
        result["top1_appraisal_gap"] = float(np.mean(gaps))
    return result
