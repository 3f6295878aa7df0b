"""Re-ranking of candidate memories: emotional structure first, content for near-ties, MMR."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RankingConfig:
    """Documented in docs/RETRIEVAL.md; measured by bench/retrieval_isear.py."""

    version: str = "rank-2"
    content_weight: float = 0.1  # content similarity only breaks near-ties
    mmr_lambda: float = 0.8  # 1 = pure relevance, lower = more diverse top-k
    candidates_per_result: int = 5
    min_candidates: int = 30
    shared_emotion_min: float = 0.08
    shared_high: float = 0.6
    shared_low: float = 0.35


@dataclass(frozen=True)
class Ranked:
    index: int  # position in the candidate list
    score: float
    content_similarity: float


def rank(
    emotion_similarity: np.ndarray,
    content_vectors: np.ndarray,
    target_content: np.ndarray,
    k: int,
    config: RankingConfig,
) -> list[Ranked]:
    """Pick k candidates: relevance = emotion cosine + content_weight * content cosine, then
    maximal marginal relevance against narrative near-duplicates (content cosine). Emotional
    likeness among the results is not penalised: every result should feel like the target
    (rank-1 penalised it too, and then kept two retellings of one memory whenever all the
    candidates felt alike)."""
    if len(emotion_similarity) == 0:
        return []
    content_similarity = content_vectors @ target_content
    relevance = emotion_similarity + config.content_weight * content_similarity
    redundancy = content_vectors @ content_vectors.T
    selected: list[int] = []
    remaining = list(range(len(relevance)))
    while remaining and len(selected) < k:
        if selected:
            penalty = redundancy[np.ix_(remaining, selected)].max(axis=1)
            mmr = config.mmr_lambda * relevance[remaining] - (1 - config.mmr_lambda) * penalty
        else:
            mmr = relevance[remaining]
        best = remaining[int(np.argmax(mmr))]
        selected.append(best)
        remaining.remove(best)
    return [Ranked(i, float(relevance[i]), float(content_similarity[i])) for i in selected]
