"""A Qdrant server (or cluster) through qdrant-client; one collection per logical collection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from services.core.errors import StoreUnavailableError
from services.core.store.base import (
    CollectionSpec,
    Conditions,
    StoredPoint,
    VectorSelection,
    VectorStore,
    as_qdrant_selection,
    point_from_record,
)


class ServerStore(VectorStore):
    backend = "qdrant"

    def __init__(
        self,
        client: QdrantClient,
        *,
        prefix: str = "emosync",
        shard_number: int = 1,
        replication_factor: int = 1,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.shard_number = shard_number
        self.replication_factor = replication_factor

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        api_key: str | None,
        timeout: float,
        prefix: str,
        shard_number: int,
        replication_factor: int,
    ) -> ServerStore:
        client = QdrantClient(url=url, api_key=api_key, timeout=int(max(1, timeout)))
        return cls(
            client, prefix=prefix, shard_number=shard_number, replication_factor=replication_factor
        )

    def _name(self, collection: str) -> str:
        return f"{self.prefix}_{collection}"

    def _ensure(self, spec: CollectionSpec) -> None:
        name = self._name(spec.name)
        if not self.client.collection_exists(name):
            self.client.create_collection(
                name,
                vectors_config={
                    vector: models.VectorParams(size=size, distance=models.Distance.COSINE)
                    for vector, size in spec.vectors.items()
                },
                shard_number=self.shard_number,
                replication_factor=self.replication_factor,
                # Each user's points are searched on their own; with is_tenant below Qdrant
                # builds per-tenant graphs instead of one global one.
                hnsw_config=models.HnswConfigDiff(payload_m=16, m=0) if spec.tenant_field else None,
            )
        indexed = set(self.client.get_collection(name).payload_schema or {})
        for field in spec.keyword_fields:
            if field in indexed:
                continue
            self.client.create_payload_index(
                name,
                field_name=field,
                field_schema=models.KeywordIndexParams(
                    type=models.KeywordIndexType.KEYWORD, is_tenant=field == spec.tenant_field
                ),
            )

    def _drop(self, collection: str) -> None:
        name = self._name(collection)
        if self.client.collection_exists(name):
            self.client.delete_collection(name)

    def _upsert(self, collection: str, points: Sequence[StoredPoint]) -> None:
        self.client.upsert(
            self._name(collection),
            points=[
                models.PointStruct(id=p.id, vector=dict(p.vectors or {}), payload=p.payload)
                for p in points
            ],
            wait=True,
        )

    def _retrieve(
        self, collection: str, ids: Sequence[str], with_vectors: VectorSelection
    ) -> list[StoredPoint]:
        records = self.client.retrieve(
            self._name(collection),
            ids=list(ids),
            with_payload=True,
            with_vectors=as_qdrant_selection(with_vectors),
        )
        found = {str(r.id): point_from_record(r) for r in records}
        return [found[i] for i in ids if i in found]

    def _delete_ids(self, collection: str, ids: Sequence[str]) -> None:
        self.client.delete(
            self._name(collection),
            points_selector=models.PointIdsList(points=list(ids)),
            wait=True,
        )

    def _delete_where(self, collection: str, conditions: Conditions) -> None:
        query_filter = _filter(conditions)
        assert query_filter is not None  # guarded by VectorStore.delete_where
        self.client.delete(
            self._name(collection),
            points_selector=models.FilterSelector(filter=query_filter),
            wait=True,
        )

    def _query(
        self,
        collection: str,
        using: str,
        vector: Sequence[float],
        conditions: Conditions,
        limit: int,
        with_vectors: VectorSelection,
    ) -> list[StoredPoint]:
        response = self.client.query_points(
            self._name(collection),
            query=list(vector),
            using=using,
            query_filter=_filter(conditions),
            limit=limit,
            with_payload=True,
            with_vectors=as_qdrant_selection(with_vectors),
        )
        return [point_from_record(p, p.score) for p in response.points]

    def _scroll(
        self, collection: str, conditions: Conditions, limit: int, offset: str | None
    ) -> tuple[list[StoredPoint], str | None]:
        records, next_offset = self.client.scroll(
            self._name(collection),
            scroll_filter=_filter(conditions),
            limit=limit,
            offset=offset,
            with_payload=True,
            with_vectors=False,
        )
        return [point_from_record(r) for r in records], None if next_offset is None else str(
            next_offset
        )

    def _count(self, collection: str, conditions: Conditions) -> int:
        return self.client.count(
            self._name(collection), count_filter=_filter(conditions), exact=True
        ).count

    def _ping(self) -> None:
        self.client.get_collections()

    def _translate_error(self, exc: Exception) -> Exception:
        if isinstance(exc, (ResponseHandlingException, httpx.TransportError, ConnectionError)):
            return StoreUnavailableError(type(exc).__name__)
        status = exc.status_code if isinstance(exc, UnexpectedResponse) else None
        if status is not None and (status >= 500 or status == 429):
            return StoreUnavailableError(f"qdrant answered {status}")
        return exc

    def close(self) -> None:
        self.client.close()


def _filter(conditions: Conditions) -> models.Filter | None:
    must: list[Any] = [
        models.FieldCondition(key=key, match=models.MatchValue(value=value))
        for key, value in conditions.equals.items()
    ]
    must_not: list[Any] = [
        models.FieldCondition(key=key, match=models.MatchValue(value=value))
        for key, value in conditions.not_equals.items()
    ]
    if conditions.exclude_ids:
        must_not.append(models.HasIdCondition(has_id=list(conditions.exclude_ids)))
    if not must and not must_not:
        return None
    return models.Filter(must=must or None, must_not=must_not or None)
