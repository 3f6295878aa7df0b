"""Profile logic: users, their narrated experiences (analyzed at ingestion), and search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.core.analysis import AnalyzedText, TextAnalysis
from services.core.analyzer.structure import EmotionalStructure
from services.core.errors import APIError, NotFoundError
from services.core.observability import EXPERIENCES_WRITTEN
from services.core.store import StoredPoint
from services.profile.repository import ProfileRepository, new_id, now, valid_id
from services.profile.schemas import (
    AnalogyRecord,
    Experience,
    ExperienceCreate,
    ExperienceList,
    ExperienceUpdate,
    SearchHit,
    SearchRequest,
    SearchResult,
    User,
    UserCreate,
    UserUpdate,
)


class ProfileService:
    def __init__(
        self, repository: ProfileRepository, analysis: TextAnalysis, max_experiences: int
    ) -> None:
        self.repository = repository
        self.analysis = analysis
        self.max_experiences = max_experiences

    # -- users ---------------------------------------------------------------------

    async def create_user(self, data: UserCreate) -> User:
        user_id, stamp = new_id(), now()
        payload = {
            **data.model_dump(mode="json", exclude={"tipi"}, exclude_none=True),
            "created_at": stamp,
            "updated_at": stamp,
        }
        await self.repository.save_user(user_id, payload)
        return _user(user_id, payload)

    async def get_user(self, user_id: str) -> User:
        payload = await self.repository.get_user(user_id)
        if payload is None:
            raise NotFoundError("user")
        return _user(user_id, payload)

    async def update_user(self, user_id: str, data: UserUpdate) -> User:
        payload = await self.repository.get_user(user_id)
        if payload is None:
            raise NotFoundError("user")
        changes = data.model_dump(mode="json", exclude_unset=True, exclude={"tipi"})
        if data.personality is not None:  # set directly or scored from `tipi`
            changes["personality"] = data.personality.model_dump(mode="json")
        payload = {**payload, **changes, "updated_at": now()}
        await self.repository.save_user(user_id, payload)
        return _user(user_id, payload)

    async def delete_user(self, user_id: str) -> None:
        if await self.repository.get_user(user_id) is None:
            raise NotFoundError("user")
        await self.repository.delete_user(user_id)

    # -- experiences -----------------------------------------------------------------

    async def add_experiences(
        self, user_id: str, items: list[ExperienceCreate]
    ) -> list[Experience]:
        """Analyze everything first, then write the batch in one upsert: all or nothing."""
        await self.get_user(user_id)
        existing = await self.repository.count_experiences(user_id)
        if existing + len(items) > self.max_experiences:
            raise APIError(
                409,
                f"a user can keep at most {self.max_experiences} experiences",
                code="limit_exceeded",
                details={"existing": existing, "adding": len(items)},
            )
        analyzed = await self.analysis.analyze([item.text for item in items])
        stamp = now()
        points = [
            experience_point(new_id(), item.model_dump(mode="json"), result, stamp, stamp)
            for item, result in zip(items, analyzed, strict=True)
        ]
        await self.repository.save_experiences(user_id, points)
        EXPERIENCES_WRITTEN.labels("create").inc(len(points))
        return [_experience(p) for p in points]

    async def get_experience(self, user_id: str, experience_id: str) -> Experience:
        await self.get_user(user_id)
        point = await self.repository.get_experience(user_id, experience_id)
        if point is None:
            raise NotFoundError("experience")
        return _experience(point)

    async def list_experiences(
        self, user_id: str, limit: int, cursor: str | None
    ) -> ExperienceList:
        await self.get_user(user_id)
        if cursor is not None and not valid_id(cursor):
            raise APIError(422, "invalid cursor")
        points, next_cursor = await self.repository.list_experiences(user_id, limit, cursor)
        return ExperienceList(items=[_experience(p) for p in points], next_cursor=next_cursor)

    async def update_experience(
        self, user_id: str, experience_id: str, data: ExperienceUpdate
    ) -> Experience:
        await self.get_user(user_id)
        point = await self.repository.get_experience(user_id, experience_id, with_vectors=True)
        if point is None:
            raise NotFoundError("experience")
        changes = data.model_dump(mode="json", exclude_unset=True)
        if changes.get("sensitive") is None:
            changes.pop("sensitive", None)
        fields = {**_fields_of(point.payload), **changes}
        if "text" in changes and changes["text"] != point.payload["text"]:
            [result] = await self.analysis.analyze([changes["text"]])
            updated = experience_point(
                experience_id, fields, result, point.payload["created_at"], now()
            )
        else:
            updated = StoredPoint(
                experience_id, {**point.payload, **changes, "updated_at": now()}, point.vectors
            )
        await self.repository.save_experiences(user_id, [updated])
        EXPERIENCES_WRITTEN.labels("update").inc()
        return _experience(updated)

    async def delete_experience(self, user_id: str, experience_id: str) -> None:
        await self.get_user(user_id)
        if not await self.repository.delete_experience(user_id, experience_id):
            raise NotFoundError("experience")
        EXPERIENCES_WRITTEN.labels("delete").inc()

    async def search(self, user_id: str, request: SearchRequest) -> SearchResult:
        expected = (
            self.analysis.emotion_size if request.using == "emotion" else self.analysis.content_size
        )
        if len(request.vector) != expected:
            raise APIError(422, f"`{request.using}` vectors have {expected} dimensions")
        hits = await self.repository.search_experiences(
            user_id,
            using=request.using,
            vector=request.vector,
            limit=request.limit,
            exclude_ids=request.exclude_ids,
            include_sensitive=request.include_sensitive,
            with_vectors=request.with_vectors,
        )
        if not hits:  # the query is scoped to the user: only an empty answer needs telling
            await self.get_user(user_id)  # an unknown user (404) from an empty pool
        total = await self.repository.count_experiences(user_id)
        return SearchResult(
            items=[
                SearchHit(experience=_experience(h), score=h.score or 0.0, vectors=h.vectors)
                for h in hits
            ],
            total_experiences=total,
        )

    # -- analogies -------------------------------------------------------------------

    async def save_analogy(self, user_id: str, content: dict[str, Any]) -> AnalogyRecord:
        await self.get_user(user_id)
        analogy_id = content.get("analogy_id") or new_id()
        if not valid_id(analogy_id):
            raise APIError(422, "analogy_id must be a UUID")
        stamp = now()
        await self.repository.save_analogy(
            user_id, analogy_id, {"created_at": stamp, "content": content}
        )
        return AnalogyRecord(
            analogy_id=analogy_id,
            user_id=user_id,
            created_at=datetime.fromisoformat(stamp),
            content=content,
        )

    async def get_analogy(self, user_id: str, analogy_id: str) -> AnalogyRecord:
        await self.get_user(user_id)
        payload = await self.repository.get_analogy(user_id, analogy_id)
        if payload is None:
            raise NotFoundError("analogy")
        return AnalogyRecord(
            analogy_id=analogy_id,
            user_id=user_id,
            created_at=payload["created_at"],
            content=payload["content"],
        )


_EXPERIENCE_FIELDS = ("text", "title", "occurred_at", "tags", "people", "sensitive")


def _fields_of(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: payload.get(key) for key in _EXPERIENCE_FIELDS}


def experience_point(
    experience_id: str, fields: dict[str, Any], result: AnalyzedText, created: str, updated: str
) -> StoredPoint:
    payload = {
        **{key: fields.get(key) for key in _EXPERIENCE_FIELDS},
        "sensitive": bool(fields.get("sensitive")),
        "tags": fields.get("tags") or [],
        "people": fields.get("people") or [],
        "created_at": created,
        "updated_at": updated,
        "structure": result.analysis.structure.model_dump(mode="json"),
    }
    vectors = {
        "content": result.content_vector.tolist(),
        "emotion": result.emotion_vector.tolist(),
    }
    return StoredPoint(experience_id, payload, vectors)


def _experience(point: StoredPoint) -> Experience:
    payload = point.payload
    return Experience(
        experience_id=point.id,
        user_id=payload["user_id"],
        text=payload["text"],
        title=payload.get("title"),
        occurred_at=payload.get("occurred_at"),
        tags=payload.get("tags") or [],
        people=payload.get("people") or [],
        sensitive=bool(payload.get("sensitive")),
        created_at=payload["created_at"],
        updated_at=payload["updated_at"],
        structure=EmotionalStructure.model_validate(payload["structure"]),
    )


def _user(user_id: str, payload: dict[str, Any]) -> User:
    return User.model_validate({**payload, "user_id": user_id})
