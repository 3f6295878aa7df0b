"""Profile service API models: users, their experiences, stored analogies, and search."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from services.core.analyzer.structure import EmotionalStructure

UserId = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ),
]
Score = Annotated[float, Field(ge=0, le=1)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


class SchwartzValue(StrEnum):
    self_direction = "self_direction"
    stimulation = "stimulation"
    hedonism = "hedonism"
    achievement = "achievement"
    power = "power"
    security = "security"
    conformity = "conformity"
    tradition = "tradition"
    benevolence = "benevolence"
    universalism = "universalism"


class Personality(BaseModel):
    """Big Five traits in [0, 1]; unknown traits may be left out."""

    model_config = ConfigDict(extra="forbid")
    openness: Score | None = None
    conscientiousness: Score | None = None
    extraversion: Score | None = None
    agreeableness: Score | None = None
    neuroticism: Score | None = None


def score_tipi(answers: list[int]) -> Personality:
    """Ten-Item Personality Inventory (Gosling, Rentfrow & Swann, 2003).

    Items 2, 4, 6, 8, 10 are reverse-scored (8 - answer); each trait is the mean of its
    two items on the 1..7 scale, rescaled to [0, 1]. TIPI measures emotional stability,
    so neuroticism is its reverse.
    """

    def item(n: int, reverse: bool = False) -> float:
        value = answers[n - 1]
        return 8 - value if reverse else value

    def scale(a: float, b: float) -> float:
        return round(((a + b) / 2 - 1) / 6, 4)

    stability = scale(item(4, True), item(9))
    return Personality(
        extraversion=scale(item(1), item(6, True)),
        agreeableness=scale(item(2, True), item(7)),
        conscientiousness=scale(item(3), item(8, True)),
        neuroticism=round(1 - stability, 4),
        openness=scale(item(5), item(10, True)),
    )


class _UserFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None
    locale: str | None = Field(default=None, max_length=35, examples=["en", "pt-BR"])
    background: str | None = Field(default=None, max_length=2000)
    personality: Personality | None = None
    values: dict[SchwartzValue, Score] | None = Field(
        default=None, description="Schwartz basic values: name -> weight in [0, 1]."
    )
    tipi: list[Annotated[int, Field(ge=1, le=7)]] | None = Field(
        default=None,
        min_length=10,
        max_length=10,
        description="The 10 TIPI answers (1-7), scored into `personality` with the published key.",
    )

    @field_validator("locale")
    @classmethod
    def _locale_shape(cls, value: str | None) -> str | None:
        if value is not None and not _LOCALE.match(value):
            raise ValueError("locale must look like a BCP 47 tag, e.g. 'en' or 'pt-BR'")
        return value

    @model_validator(mode="after")
    def _tipi_or_personality(self) -> _UserFields:
        if self.tipi is not None and self.personality is not None:
            raise ValueError("give either `personality` or `tipi`, not both")
        if self.tipi is not None:
            self.personality = score_tipi(self.tipi)
            self.tipi = None
        return self


class UserCreate(_UserFields):
    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    locale: str = Field(default="en", max_length=35)


class UserUpdate(_UserFields):
    """Only the fields sent are changed."""


class User(BaseModel):
    user_id: str
    display_name: str
    locale: str
    background: str | None = None
    personality: Personality = Field(default_factory=Personality)
    values: dict[SchwartzValue, float] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


ExperienceText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
]


class _ExperienceFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    occurred_at: date | None = None
    tags: list[ShortText] | None = Field(default=None, max_length=20)
    people: list[ShortText] | None = Field(default=None, max_length=20)
    sensitive: bool | None = Field(
        default=None,
        description="Sensitive memories are never used in analogies and only returned by "
        "retrieval to the user's own token when asked.",
    )


class ExperienceCreate(_ExperienceFields):
    text: ExperienceText
    sensitive: bool = False


class ExperienceUpdate(_ExperienceFields):
    """Only the fields sent are changed; a new text recomputes the vectors and structure."""

    text: ExperienceText | None = None


class ExperienceBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ExperienceCreate] = Field(min_length=1, max_length=256)


class Experience(BaseModel):
    experience_id: str
    user_id: str
    text: str
    title: str | None = None
    occurred_at: date | None = None
    tags: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    sensitive: bool = False
    created_at: datetime
    updated_at: datetime
    structure: EmotionalStructure


class ExperienceList(BaseModel):
    items: list[Experience]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class ExperienceItems(BaseModel):
    items: list[Experience]


class SearchRequest(BaseModel):
    """A vector query over one user's experiences (used by the retrieval service)."""

    model_config = ConfigDict(extra="forbid")
    vector: list[float] = Field(min_length=1, max_length=4096)
    using: Literal["emotion", "content"] = "emotion"
    limit: int = Field(default=20, ge=1, le=200)
    exclude_ids: list[str] = Field(default_factory=list, max_length=1000)
    include_sensitive: bool = False
    with_vectors: bool | list[Literal["emotion", "content"]] = Field(
        default=False,
        description="Return the hits' vectors: all (true), none (false) or the ones named.",
    )


class SearchHit(BaseModel):
    experience: Experience
    score: float
    vectors: dict[str, list[float]] | None = None


class SearchResult(BaseModel):
    items: list[SearchHit]
    total_experiences: int = Field(description="How many experiences the user has in all.")


class AnalogyRecord(BaseModel):
    """An analogy as stored for later feedback; written by the generator."""

    analogy_id: str
    user_id: str
    created_at: datetime
    content: dict[str, Any]
