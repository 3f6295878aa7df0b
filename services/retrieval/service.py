"""Find the user's own experiences that felt like someone else's, and say why they match.

The vector query runs in the store owned by the profile service (through its client);
this service builds the query, re-ranks what comes back and explains each match.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from services.core.analysis import TextAnalysis
from services.core.analyzer.structure import EmotionalStructure
from services.core.auth import Principal
from services.profile.client import ProfileClient
from services.profile.schemas import SearchHit, SearchRequest
from services.retrieval.ranking import RankingConfig, rank
from services.retrieval.schemas import (
    Match,
    Ranking,
    RetrieveRequest,
    RetrieveResponse,
    Shared,
    SharedAppraisal,
)

# Dimensions whose LOW pole is the meaningful shared experience (an unpleasant event,
# nothing one could do); for the others, sharing means both are high.
_LOW_POLE = ("pleasantness", "controllability")


class RetrievalService:
    def __init__(
        self, analysis: TextAnalysis, profiles: ProfileClient, config: RankingConfig | None = None
    ) -> None:
        self.analysis = analysis
        self.profiles = profiles
        self.config = config or RankingConfig()

    async def analyze(self, text: str) -> EmotionalStructure:
        [result] = await self.analysis.analyze([text])
        return result.analysis.structure

    async def retrieve(self, principal: Principal, request: RetrieveRequest) -> RetrieveResponse:
        [inferred] = await self.analysis.analyze([request.target.text])
        target = self.analysis.with_hints(
            inferred, request.target.emotions, request.target.appraisal
        )
        config = self.config
        limit = max(config.min_candidates, request.k * config.candidates_per_result)
        result = await self.profiles.search(
            principal,
            request.user_id,
            SearchRequest(
                vector=target.emotion_vector.tolist(),
                using="emotion",
                limit=limit,
                exclude_ids=request.exclude_ids,
                include_sensitive=request.include_sensitive,
                # Ranking reads only the content vectors (relevance and redundancy); the
                # emotion score comes back as the hit's score.
                with_vectors=["content"],
            ),
        )
        chosen = self._rank(result.items, target.content_vector, request.k)
        structure = target.analysis.structure
        matches = [self._explain(hit, structure, score, content) for hit, score, content in chosen]
        note = None
        if len(matches) < request.k:
            note = (
                "this user has no experiences to draw on yet"
                if result.total_experiences == 0
                else f"only {len(matches)} usable experience(s) for k={request.k}"
            )
        return RetrieveResponse(
            target_structure=structure,
            matches=matches,
            ranking=Ranking(
                version=config.version,
                weights={
                    "content_weight": config.content_weight,
                    "mmr_lambda": config.mmr_lambda,
                    **{f"vector_{k}": v for k, v in asdict(self.analysis.weights).items()},
                },
            ),
            total_experiences=result.total_experiences,
            note=note,
        )

    def _rank(
        self, hits: list[SearchHit], target_content: np.ndarray, k: int
    ) -> list[tuple[SearchHit, float, float]]:
        if not hits:
            return []
        vectors = [h.vectors or {} for h in hits]
        chosen = rank(
            np.array([h.score for h in hits], dtype=np.float32),
            np.array([v["content"] for v in vectors], dtype=np.float32),
            target_content,
            k,
            self.config,
        )
        return [(hits[r.index], r.score, r.content_similarity) for r in chosen]

    def _explain(
        self, hit: SearchHit, target: EmotionalStructure, score: float, content_similarity: float
    ) -> Match:
        memory = hit.experience.structure
        return Match(
            experience_id=hit.experience.experience_id,
            text=hit.experience.text,
            title=hit.experience.title,
            sensitive=hit.experience.sensitive,
            score=round(score, 4),
            emotion_similarity=round(hit.score, 4),
            content_similarity=round(content_similarity, 4),
            shared=shared_between(target, memory, self.config),
            theme=memory.theme.name,
        )


def shared_between(
    target: EmotionalStructure, memory: EmotionalStructure, config: RankingConfig
) -> Shared:
    emotions = sorted(
        (
            name
            for name, p in target.emotions.items()
            if name != "neutral"
            and p >= config.shared_emotion_min
            and memory.emotions.get(name, 0) >= config.shared_emotion_min
        ),
        key=lambda name: -min(target.emotions[name], memory.emotions[name]),
    )
    appraisal = []
    for name, t in target.appraisal.items():
        m = memory.appraisal.get(name, 0.0)
        if name == "intensity":
            continue
        low_pole = name in _LOW_POLE
        if (low_pole and max(t, m) <= config.shared_low) or (
            not low_pole and min(t, m) >= config.shared_high
        ):
            appraisal.append(SharedAppraisal(name=name, target=round(t, 3), memory=round(m, 3)))
    appraisal.sort(key=lambda a: abs(a.target - a.memory))
    return Shared(emotions=emotions[:5], appraisal=appraisal)
