"""Text in, vectors and emotional structure out: the embedding model plus the analyzer.

Used by the profile service at ingestion and by the retrieval service for targets, so
both always produce comparable vectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from services.core.analyzer.labels import APPRAISAL_DIMENSIONS, EMOTIONS
from services.core.analyzer.offline import (
    Analysis,
    OfflineAnalyzer,
    VectorWeights,
    default_vector_weights,
)
from services.core.embedding import Embedder
from services.core.errors import APIError
from services.core.settings import Settings


@dataclass
class AnalyzedText:
    content_vector: np.ndarray
    analysis: Analysis
    emotion_vector: np.ndarray


class StructureRefiner(Protocol):
    """Something that may replace the offline structure (the LLM analyzer)."""

    async def refine(self, texts: list[str], analyses: list[Analysis]) -> list[Analysis]: ...


class TextAnalysis:
    def __init__(
        self,
        embedder: Embedder,
        analyzer: OfflineAnalyzer,
        weights: VectorWeights,
        refiner: StructureRefiner | None = None,
    ) -> None:
        self.embedder = embedder
        self.analyzer = analyzer
        self.weights = weights
        self.refiner = refiner

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> TextAnalysis:
        analyzer = OfflineAnalyzer()
        defaults = default_vector_weights(analyzer)
        weights = VectorWeights(
            emotions=_pick(settings.vector_weight_emotions, defaults.emotions),
            appraisal=_pick(settings.vector_weight_appraisal, defaults.appraisal),
            theme=_pick(settings.vector_weight_theme, defaults.theme),
            latent=_pick(settings.vector_weight_latent, defaults.latent),
            families=_pick(settings.vector_weight_families, defaults.families),
        )
        refiner: StructureRefiner | None = None
        if settings.analyzer == "llm":
            from services.core.analyzer.llm import LLMAnalyzer

            refiner = LLMAnalyzer.from_settings(settings)
        model = embedder or Embedder(settings.embedding_model_path, settings.embedding_batch_size)
        return cls(model, analyzer, weights, refiner)

    @property
    def content_size(self) -> int:
        return self.embedder.dimension

    @property
    def emotion_size(self) -> int:
        return self.analyzer.vector_size

    def schema(self) -> dict[str, Any]:
        """What stored vectors depend on; a store written under another schema is refused."""
        return {
            "embedding_model": self.embedder.name,
            "analyzer_version": self.analyzer.version,
            "vector_weights": self.weights.as_dict(),
        }

    async def analyze(self, texts: list[str]) -> list[AnalyzedText]:
        def work() -> tuple[np.ndarray, list[Analysis]]:
            encoded = self.embedder.encode_layers(texts)
            return encoded.content, self.analyzer.analyze(texts, encoded.layers)

        content, analyses = await self.embedder.run(work)
        if self.refiner is not None:
            analyses = await self.refiner.refine(texts, analyses)
        return [
            AnalyzedText(content[i], analysis, self.analyzer.vector(analysis, self.weights))
            for i, analysis in enumerate(analyses)
        ]

    def with_hints(
        self,
        analyzed: AnalyzedText,
        emotions: Mapping[str, float] | None,
        appraisal: Mapping[str, float] | None,
    ) -> AnalyzedText:
        """Caller-supplied emotions/appraisal override what was inferred (unknown names: 422)."""
        if not emotions and not appraisal:
            return analyzed
        structure = analyzed.analysis.structure
        new_emotions = dict(structure.emotions)
        if emotions:
            _check_names(emotions, EMOTIONS, "emotions")
            # A hint states what the person felt: hinted emotions keep their stated share
            # (scaled down if they add up past 1) and the inferred rest fills what is left.
            hinted = {name: float(value) for name, value in emotions.items()}
            total = sum(hinted.values())
            if total > 1:
                hinted = {name: value / total for name, value in hinted.items()}
                total = 1.0
            rest = sum(v for name, v in new_emotions.items() if name not in hinted)
            scale = (1.0 - total) / rest if rest > 0 else 0.0
            new_emotions = {
                name: hinted.get(name, value * scale) for name, value in new_emotions.items()
            }
        new_appraisal = dict(structure.appraisal)
        if appraisal:
            _check_names(appraisal, tuple(APPRAISAL_DIMENSIONS), "appraisal")
            new_appraisal.update({k: float(v) for k, v in appraisal.items()})
        new_structure = structure.model_copy(
            update={"emotions": new_emotions, "appraisal": new_appraisal}
        )
        analysis = replace(analyzed.analysis, structure=new_structure)
        return AnalyzedText(
            analyzed.content_vector, analysis, self.analyzer.vector(analysis, self.weights)
        )


def _pick(value: float | None, default: float) -> float:
    return default if value is None else value


def _check_names(values: Mapping[str, float], allowed: tuple[str, ...], field: str) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise APIError(
            422, f"unknown {field} names: {', '.join(unknown)}", details={"allowed": list(allowed)}
        )
    for name, value in values.items():
        if not 0 <= value <= 1:
            raise APIError(422, f"{field}.{name} must be between 0 and 1")
