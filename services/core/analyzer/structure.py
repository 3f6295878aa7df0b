"""The emotional structure of an experience: what was felt and how it was appraised."""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.core.analyzer.labels import APPRAISAL_DIMENSIONS, EMOTIONS, THEMES

# Hand-set placement of each emotion on the circumplex (valence in [-1, 1], arousal in
# [0, 1]), after Russell (1980) and the NRC VAD lexicon's ordering. Used only to summarise
# the learned emotion probabilities as valence/arousal; not learned, not tuned.
EMOTION_VALENCE_AROUSAL: dict[str, tuple[float, float]] = {
    "admiration": (0.7, 0.5),
    "amusement": (0.8, 0.6),
    "anger": (-0.8, 0.9),
    "annoyance": (-0.5, 0.6),
    "approval": (0.5, 0.3),
    "caring": (0.6, 0.4),
    "confusion": (-0.2, 0.5),
    "curiosity": (0.3, 0.6),
    "desire": (0.4, 0.7),
    "disappointment": (-0.6, 0.3),
    "disapproval": (-0.5, 0.5),
    "disgust": (-0.8, 0.6),
    "embarrassment": (-0.6, 0.6),
    "excitement": (0.8, 0.9),
    "fear": (-0.8, 0.9),
    "gratitude": (0.8, 0.4),
    "grief": (-0.9, 0.4),
    "joy": (0.9, 0.7),
    "love": (0.9, 0.6),
    "nervousness": (-0.5, 0.8),
    "optimism": (0.6, 0.5),
    "pride": (0.7, 0.6),
    "realization": (0.1, 0.4),
    "relief": (0.6, 0.2),
    "remorse": (-0.7, 0.5),
    "sadness": (-0.8, 0.2),
    "surprise": (0.1, 0.8),
    "neutral": (0.0, 0.1),
}
assert set(EMOTION_VALENCE_AROUSAL) == set(EMOTIONS)


class AnalyzerInfo(BaseModel):
    name: str = Field(description="Which analyzer produced the structure: offline or llm.")
    version: str = Field(
        description="Analyzer version; stored vectors are only comparable within one."
    )
    fallback: bool = Field(
        default=False, description="True when the LLM analyzer failed and the offline one answered."
    )


class ThemeScore(BaseModel):
    name: str = Field(description="Dominant core relational theme (see the themes table).")
    score: float = Field(ge=0, le=1)


class EmotionalStructure(BaseModel):
    """Versioned. ``emotions`` holds all 28 GoEmotions labels, ``appraisal`` all 14 dimensions."""

    emotions: dict[str, float] = Field(description="Probability of each emotion category.")
    appraisal: dict[str, float] = Field(description="Each appraisal dimension in [0, 1].")
    valence: float = Field(ge=-1, le=1)
    arousal: float = Field(ge=0, le=1)
    theme: ThemeScore
    analyzer: AnalyzerInfo

    def top_emotions(self, n: int = 3, minimum: float = 0.0) -> list[str]:
        ranked = sorted(self.emotions.items(), key=lambda item: item[1], reverse=True)
        return [name for name, p in ranked[:n] if p >= minimum and name != "neutral"]


__all__ = [
    "APPRAISAL_DIMENSIONS",
    "EMOTIONS",
    "EMOTION_VALENCE_AROUSAL",
    "THEMES",
    "AnalyzerInfo",
    "EmotionalStructure",
    "ThemeScore",
]
