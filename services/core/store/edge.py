"""Qdrant Edge: the Qdrant engine embedded in this process, one shard directory per collection.

Only one process may open a shard directory (its WAL is locked), which is why only the
profile service opens the store.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from services.core.store.base import (
    CollectionSpec,
    Conditions,
    StoredPoint,
    VectorSelection,
    VectorStore,
    as_qdrant_selection,
    point_from_record,
)


class EdgeStore(VectorStore):
    backend = "edge"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._shards: dict[str, qe.EdgeShard] = {}
        self._lock = threading.Lock()

    def _shard(self, collection: str) -> qe.EdgeShard:
        try:
            return self._shards[collection]
        except KeyError:
            raise KeyError(f"collection {collection!r} was not opened") from None

    def _ensure(self, spec: CollectionSpec) -> None:
        with self._lock:
            if spec.name in self._shards:
                return
            path = self.root / spec.name
            vectors = {
                name: qe.EdgeVectorParams(size=size, distance=qe.Distance.Cosine)
                for name, size in spec.vectors.items()
            }
            if (path / "edge_config.json").exists():
                shard = qe.EdgeShard.load(str(path))
            else:
                shard = qe.EdgeShard.create(str(path), qe.EdgeConfig(vectors=vectors))
            indexed = set(shard.info().payload_schema)
            for name in spec.keyword_fields:
                if name not in indexed:
                    # Without this index, filtered search scans everything and can miss hits.
                    shard.update(
                        qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword)
                    )
            self._shards[spec.name] = shard

    def _drop(self, collection: str) -> None:
        with self._lock:
            shard = self._shards.pop(collection, None)
            if shard is not None:
                shard.close()
            shutil.rmtree(self.root / collection, ignore_errors=True)

    def _upsert(self, collection: str, points: Sequence[StoredPoint]) -> None:
        self._shard(collection).update(
            qe.UpdateOperation.upsert_points(
                [qe.Point(p.id, _vectors(p), p.payload) for p in points]
            )
        )

    def _retrieve(
        self, collection: str, ids: Sequence[str], with_vectors: VectorSelection
    ) -> list[StoredPoint]:
        records = self._shard(collection).retrieve(
            list(ids), with_payload=True, with_vector=as_qdrant_selection(with_vectors)
        )
        found = {str(r.id): point_from_record(r) for r in records}
        return [found[i] for i in ids if i in found]

    def _delete_ids(self, collection: str, ids: Sequence[str]) -> None:
        self._shard(collection).update(qe.UpdateOperation.delete_points(list(ids)))

    def _delete_where(self, collection: str, conditions: Conditions) -> None:
        selection = _filter(conditions)
        assert selection is not None  # guarded by VectorStore.delete_where
        self._shard(collection).update(qe.UpdateOperation.delete_points_by_filter(selection))

    def _query(
        self,
        collection: str,
        using: str,
        vector: Sequence[float],
        conditions: Conditions,
        limit: int,
        with_vectors: VectorSelection,
    ) -> list[StoredPoint]:
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(list(vector), using=using),
            filter=_filter(conditions),
            with_payload=True,
            with_vector=as_qdrant_selection(with_vectors),
        )
        return [point_from_record(p, p.score) for p in self._shard(collection).query(request)]

    def _scroll(
        self, collection: str, conditions: Conditions, limit: int, offset: str | None
    ) -> tuple[list[StoredPoint], str | None]:
        records, next_offset = self._shard(collection).scroll(
            qe.ScrollRequest(
                limit=limit, offset=offset, filter=_filter(conditions), with_payload=True
            )
        )
        return [point_from_record(r) for r in records], None if next_offset is None else str(
            next_offset
        )

    def _count(self, collection: str, conditions: Conditions) -> int:
        return self._shard(collection).count(
            qe.CountRequest(exact=True, filter=_filter(conditions))
        )

    def _ping(self) -> None:
        for shard in self._shards.values():
            shard.info()

    def close(self) -> None:
        with self._lock:
            for shard in self._shards.values():
                shard.flush()
                shard.close()
            self._shards.clear()


def _filter(conditions: Conditions) -> qe.Filter | None:
    must: list[Any] = [
        qe.FieldCondition(key=key, match=qe.MatchValue(value))
        for key, value in conditions.equals.items()
    ]
    must_not: list[Any] = [
        qe.FieldCondition(key=key, match=qe.MatchValue(value))
        for key, value in conditions.not_equals.items()
    ]
    if conditions.exclude_ids:
        must_not.append(qe.HasIdCondition(set(conditions.exclude_ids)))
    if not must and not must_not:
        return None
    return qe.Filter(must=must or None, must_not=must_not or None)


def _vectors(point: StoredPoint) -> Any:
    return dict(point.vectors or {})
