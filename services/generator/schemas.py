"""Generator service API models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.core.analyzer.structure import EmotionalStructure
from services.profile.schemas import UserId
from services.retrieval.schemas import Shared, Target


class AnalogyTarget(Target):
    who: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = Field(
        default=None, description="Who the other person is to the user, e.g. 'my colleague Ana'."
    )


class Style(BaseModel):
    model_config = ConfigDict(extra="forbid")
    length: Literal["short", "medium"] = "short"
    tone: Literal["gentle", "direct"] | None = Field(
        default=None, description="Unset: chosen from the user's personality."
    )


class AnalogyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: UserId
    target: AnalogyTarget
    k: int = Field(default=3, ge=1, le=10)
    style: Style = Field(default_factory=Style)
    stream: bool = False


class GroundedIn(BaseModel):
    experience_id: str
    excerpt: str


class GeneratorInfo(BaseModel):
    backend: str
    model: str
    prompt_version: str
    fallback: bool = False


class Analogy(BaseModel):
    analogy_id: str
    user_id: str
    analogy: str
    bridge: str
    grounded_in: list[GroundedIn]
    target_structure: EmotionalStructure
    shared: Shared
    generator: GeneratorInfo
    latency_ms: float
