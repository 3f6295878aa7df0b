"""Qdrant access for the profile service. Every read and write is scoped to one user.

Methods take the owner's ``user_id`` first and filter (or check) by it, so that no code
path above can reach another user's points by passing a foreign id.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

from services.core.store import CollectionSpec, Conditions, StoredPoint, VectorStore
from services.core.store.base import PLACEHOLDER_VECTOR, VectorSelection

USERS = "users"
EXPERIENCES = "experiences"
ANALOGIES = "analogies"
SENSITIVE_FLAG = "sensitive"


def collection_specs(content_size: int, emotion_size: int) -> list[CollectionSpec]:
    return [
        CollectionSpec(USERS, {PLACEHOLDER_VECTOR: 1}),
        CollectionSpec(
            EXPERIENCES, {"content": content_size, "emotion": emotion_size}, ("user_id", "flags")
        ),
        CollectionSpec(ANALOGIES, {PLACEHOLDER_VECTOR: 1}),
    ]


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> str:
    return datetime.now(UTC).isoformat()


def valid_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class ProfileRepository:
    def __init__(self, store: VectorStore) -> None:
        self.store = store

    # -- users ---------------------------------------------------------------------

    async def save_user(self, user_id: str, payload: dict[str, Any]) -> None:
        point = StoredPoint(user_id, {**payload, "user_id": user_id}, {PLACEHOLDER_VECTOR: [1.0]})
        await run_in_threadpool(self.store.upsert, USERS, [point])

    async def get_user(self, user_id: str) -> dict[str, Any] | None:
        if not valid_id(user_id):
            return None
        found = await run_in_threadpool(self.store.retrieve, USERS, [user_id])
        return found[0].payload if found and found[0].payload.get("user_id") == user_id else None

    async def delete_user(self, user_id: str) -> None:
        """Experiences and analogies first: if this stops half-way the user still exists
        and a retried delete finishes the job."""
        owner = Conditions({"user_id": user_id})
        await run_in_threadpool(self.store.delete_where, EXPERIENCES, owner)
        await run_in_threadpool(self.store.delete_where, ANALOGIES, owner)
        await run_in_threadpool(self.store.delete_ids, USERS, [user_id])

    # -- experiences -----------------------------------------------------------------

    async def save_experiences(self, user_id: str, points: Sequence[StoredPoint]) -> None:
        """One upsert for the whole batch, so a batch is written entirely or not at all."""
        for point in points:
            point.payload["user_id"] = user_id
            point.payload["flags"] = [SENSITIVE_FLAG] if point.payload.get("sensitive") else []
        await run_in_threadpool(self.store.upsert, EXPERIENCES, list(points))

    async def get_experience(
        self, user_id: str, experience_id: str, with_vectors: bool = False
    ) -> StoredPoint | None:
        if not valid_id(experience_id):
            return None
        found = await run_in_threadpool(
            self.store.retrieve, EXPERIENCES, [experience_id], with_vectors
        )
        if found and found[0].payload.get("user_id") == user_id:
            return found[0]
        return None

    async def list_experiences(
        self, user_id: str, limit: int, cursor: str | None
    ) -> tuple[list[StoredPoint], str | None]:
        return await run_in_threadpool(
            self.store.scroll, EXPERIENCES, Conditions({"user_id": user_id}), limit, cursor
        )

    async def count_experiences(self, user_id: str) -> int:
        return await run_in_threadpool(
            self.store.count, EXPERIENCES, Conditions({"user_id": user_id})
        )

    async def delete_experience(self, user_id: str, experience_id: str) -> bool:
        if await self.get_experience(user_id, experience_id) is None:
            return False
        await run_in_threadpool(self.store.delete_ids, EXPERIENCES, [experience_id])
        return True

    async def search_experiences(
        self,
        user_id: str,
        *,
        using: str,
        vector: Sequence[float],
        limit: int,
        exclude_ids: Sequence[str],
        include_sensitive: bool,
        with_vectors: VectorSelection,
    ) -> list[StoredPoint]:
        conditions = Conditions(
            equals={"user_id": user_id},
            not_equals={} if include_sensitive else {"flags": SENSITIVE_FLAG},
            exclude_ids=tuple(i for i in exclude_ids if valid_id(i)),
        )
        return await run_in_threadpool(
            self.store.query, EXPERIENCES, using, vector, conditions, limit, with_vectors
        )

    # -- analogies -------------------------------------------------------------------

    async def save_analogy(self, user_id: str, analogy_id: str, payload: dict[str, Any]) -> None:
        point = StoredPoint(
            analogy_id, {**payload, "user_id": user_id}, {PLACEHOLDER_VECTOR: [1.0]}
        )
        await run_in_threadpool(self.store.upsert, ANALOGIES, [point])

    async def get_analogy(self, user_id: str, analogy_id: str) -> dict[str, Any] | None:
        if not valid_id(analogy_id):
            return None
        found = await run_in_threadpool(self.store.retrieve, ANALOGIES, [analogy_id])
        if found and found[0].payload.get("user_id") == user_id:
            return found[0].payload
        return None
