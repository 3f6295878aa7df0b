"""One vector-store interface, two Qdrant implementations (embedded Edge, or a server).

Only the profile service opens a store. Everything above this layer speaks in
``StoredPoint`` and ``Conditions``; nothing above it imports a Qdrant module.
"""

from __future__ import annotations

import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from services.core.observability import STORE_ERRORS, STORE_LATENCY

T = TypeVar("T")

# Collections without a meaningful vector (users, analogies, schema records) still need one
# vector for Qdrant Edge, which refuses vector-less shards; a 1-d placeholder costs 4 bytes.
PLACEHOLDER_VECTOR = "unit"
# Which named vectors a read returns: all (True), none (False) or the ones named.
VectorSelection = bool | Sequence[str]
SCHEMA_COLLECTION = "schema"


@dataclass(frozen=True)
class CollectionSpec:
    name: str
    vectors: dict[str, int]  # named vector -> dimension (cosine distance)
    keyword_fields: tuple[str, ...] = ("user_id",)
    # The field that partitions data by owner: indexed with is_tenant on a server.
    tenant_field: str | None = "user_id"


@dataclass(frozen=True)
class Conditions:
    """A conjunction of exact keyword matches, the only filter shape our repositories need.

    Values are strings on purpose: Qdrant Edge's Python binding does not match booleans
    (measured: ``MatchValue(True)`` matches nothing), so flags are stored as keyword lists.
    A keyword field holding a list matches when any element equals the value.
    """

    equals: dict[str, str] = field(default_factory=dict)
    not_equals: dict[str, str] = field(default_factory=dict)
    exclude_ids: tuple[str, ...] = ()


@dataclass
class StoredPoint:
    id: str
    payload: dict[str, Any]
    vectors: dict[str, list[float]] | None = None
    score: float | None = None


def as_qdrant_selection(selection: VectorSelection) -> bool | list[str]:
    """Both Qdrant APIs take a flag or a list of vector names (not any sequence)."""
    return selection if isinstance(selection, bool) else list(selection)


def point_from_record(record: Any, score: float | None = None) -> StoredPoint:
    """Both Qdrant APIs return records with ``id``, ``payload`` and named ``vector``s."""
    vectors = record.vector if isinstance(record.vector, dict) else None
    return StoredPoint(
        id=str(record.id),
        payload=dict(record.payload or {}),
        vectors={name: list(values) for name, values in vectors.items()} if vectors else None,
        score=score,
    )


_SCHEMA_SPEC = CollectionSpec(SCHEMA_COLLECTION, {PLACEHOLDER_VECTOR: 1}, (), None)


class StoreSchemaError(RuntimeError):
    """The data on disk was written with other vector sizes or another analyzer version."""


def schema_point_id(collection: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"emosync:schema:{collection}"))


class VectorStore(ABC):
    backend: str

    def open_collection(self, spec: CollectionSpec, schema: dict[str, Any]) -> None:
        """Create the collection if it is new; refuse to mix data written under another schema.

        ``schema`` records what the stored vectors mean (model, analyzer version, sizes).
        """
        self.ensure_collection(spec)
        expected = self.schema_record(spec, schema)
        stored = self.stored_schema(spec.name)
        if stored is None:
            self.write_schema(spec, schema)
        elif stored != expected:
            differences = {
                key: {"stored": stored.get(key), "expected": expected.get(key)}
                for key in sorted(set(stored) | set(expected))
                if stored.get(key) != expected.get(key)
            }
            raise StoreSchemaError(
                f"collection {spec.name!r} was written with a different schema {differences}; "
                "run `emosync migrate` to recompute its vectors with the current models"
            )

    def ensure_collection(self, spec: CollectionSpec) -> None:
        """Open the collection, creating it if it does not exist (no schema check)."""
        self._timed("open", lambda: self._ensure(spec))

    def stored_schema(self, collection: str) -> dict[str, Any] | None:
        self.ensure_collection(_SCHEMA_SPEC)
        found = self.retrieve(SCHEMA_COLLECTION, [schema_point_id(collection)])
        return found[0].payload if found else None

    def write_schema(self, spec: CollectionSpec, schema: dict[str, Any]) -> None:
        """Record what the collection's vectors now mean (at creation, after a migration)."""
        point = StoredPoint(
            schema_point_id(spec.name),
            self.schema_record(spec, schema),
            {PLACEHOLDER_VECTOR: [1.0]},
        )
        self.upsert(SCHEMA_COLLECTION, [point])

    def recreate_collection(self, spec: CollectionSpec) -> None:
        """Drop every point of the collection and create it anew (used by migrations)."""
        self._timed("recreate", lambda: self._drop(spec.name))
        self._timed("recreate", lambda: self._ensure(spec))

    @staticmethod
    def schema_record(spec: CollectionSpec, schema: dict[str, Any]) -> dict[str, Any]:
        return {"collection": spec.name, "vectors": spec.vectors, **schema}

    # -- operations, each timed and counted -------------------------------------------

    def upsert(self, collection: str, points: Sequence[StoredPoint]) -> None:
        if points:
            self._timed("upsert", lambda: self._upsert(collection, points))

    def retrieve(
        self, collection: str, ids: Sequence[str], with_vectors: VectorSelection = False
    ) -> list[StoredPoint]:
        if not ids:
            return []
        return self._timed("retrieve", lambda: self._retrieve(collection, ids, with_vectors))

    def delete_ids(self, collection: str, ids: Sequence[str]) -> None:
        if ids:
            self._timed("delete", lambda: self._delete_ids(collection, ids))

    def delete_where(self, collection: str, conditions: Conditions) -> None:
        self._require_filter(conditions)
        self._timed("delete", lambda: self._delete_where(collection, conditions))

    def query(
        self,
        collection: str,
        using: str,
        vector: Sequence[float],
        conditions: Conditions,
        limit: int,
        with_vectors: VectorSelection = False,
    ) -> list[StoredPoint]:
        return self._timed(
            "query", lambda: self._query(collection, using, vector, conditions, limit, with_vectors)
        )

    def scroll(
        self, collection: str, conditions: Conditions, limit: int, offset: str | None = None
    ) -> tuple[list[StoredPoint], str | None]:
        return self._timed("scroll", lambda: self._scroll(collection, conditions, limit, offset))

    def count(self, collection: str, conditions: Conditions) -> int:
        return self._timed("count", lambda: self._count(collection, conditions))

    def ping(self) -> None:
        self._timed("ping", self._ping)

    @staticmethod
    def _require_filter(conditions: Conditions) -> None:
        # A delete with an empty filter would wipe a collection; no caller ever means that.
        if not conditions.equals:
            raise ValueError("refusing a bulk delete without an equality condition")

    def _timed(self, operation: str, work: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            return work()
        except Exception as exc:
            STORE_ERRORS.labels(self.backend, operation).inc()
            raise self._translate_error(exc) from exc
        finally:
            STORE_LATENCY.labels(self.backend, operation).observe(time.perf_counter() - started)

    def _translate_error(self, exc: Exception) -> Exception:
        return exc

    # -- backend hooks -----------------------------------------------------------------

    @abstractmethod
    def _ensure(self, spec: CollectionSpec) -> None: ...

    @abstractmethod
    def _drop(self, collection: str) -> None: ...

    @abstractmethod
    def _upsert(self, collection: str, points: Sequence[StoredPoint]) -> None: ...

    @abstractmethod
    def _retrieve(
        self, collection: str, ids: Sequence[str], with_vectors: VectorSelection
    ) -> list[StoredPoint]: ...

    @abstractmethod
    def _delete_ids(self, collection: str, ids: Sequence[str]) -> None: ...

    @abstractmethod
    def _delete_where(self, collection: str, conditions: Conditions) -> None: ...

    @abstractmethod
    def _query(
        self,
        collection: str,
        using: str,
        vector: Sequence[float],
        conditions: Conditions,
        limit: int,
        with_vectors: VectorSelection,
    ) -> list[StoredPoint]: ...

    @abstractmethod
    def _scroll(
        self, collection: str, conditions: Conditions, limit: int, offset: str | None
    ) -> tuple[list[StoredPoint], str | None]: ...

    @abstractmethod
    def _count(self, collection: str, conditions: Conditions) -> int: ...

    @abstractmethod
    def _ping(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...
