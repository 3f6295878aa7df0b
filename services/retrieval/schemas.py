"""Retrieval service API models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.core.analyzer.structure import EmotionalStructure
from services.profile.schemas import UserId

TargetText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class Target(BaseModel):
    """Another person's experience, with optional hints that override the analyzer."""

    model_config = ConfigDict(extra="forbid")
    text: TargetText
    emotions: dict[str, float] | None = Field(
        default=None, description="Emotion name -> strength in [0, 1]; overrides inference."
    )
    appraisal: dict[str, float] | None = Field(
        default=None, description="Appraisal dimension -> score in [0, 1]; overrides inference."
    )


class RetrieveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: UserId
    target: Target
    k: int = Field(default=3, ge=1, le=20)
    exclude_ids: list[str] = Field(default_factory=list, max_length=1000)
    include_sensitive: bool = Field(
        default=False, description="Also consider sensitive memories (needs the user's own token)."
    )


class AnalyzeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: TargetText


class SharedAppraisal(BaseModel):
    name: str
    target: float
    memory: float


class Shared(BaseModel):
    emotions: list[str] = Field(description="Emotions felt in both, strongest shared first.")
    appraisal: list[SharedAppraisal] = Field(
        description="Appraisal dimensions on the same pole in both, closest first."
    )


class Match(BaseModel):
    experience_id: str
    text: str
    title: str | None = None
    sensitive: bool = False
    score: float = Field(description="Ranking score (emotional structure, content tie-break).")
    emotion_similarity: float
    content_similarity: float
    shared: Shared
    theme: str = Field(description="The memory's core relational theme.")


class Ranking(BaseModel):
    version: str
    weights: dict[str, float]


class RetrieveResponse(BaseModel):
    target_structure: EmotionalStructure
    matches: list[Match]
    ranking: Ranking
    total_experiences: int = Field(description="How many experiences the user has in all.")
    note: str | None = Field(
        default=None, description="Set when fewer than k matches could be returned, and why."
    )
