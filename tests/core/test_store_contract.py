"""The same contract, run against both store implementations.

Qdrant Edge is the real embedded engine. No Qdrant server can run on our machines, so the
server implementation is exercised through qdrant-client's in-process ``":memory:"`` mode,
the only stand-in for a server here: it checks our request building and result mapping,
not a server's behaviour (sharding, tenant indexes).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from services.core.store import CollectionSpec, Conditions, StoredPoint, StoreSchemaError
from services.core.store.base import VectorStore
from services.core.store.edge import EdgeStore
from services.core.store.server import ServerStore

SPEC = CollectionSpec("experiences", {"content": 4, "emotion": 3}, ("user_id", "flags"))
SCHEMA = {"analyzer": "test-1"}


@pytest.fixture(params=["edge", "server-memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    impl: VectorStore
    if request.param == "edge":
        impl = EdgeStore(tmp_path / "qdrant")
    else:
        impl = ServerStore(QdrantClient(":memory:"))
    impl.open_collection(SPEC, SCHEMA)
    yield impl
    impl.close()


def _point(user: str, content: list[float], emotion: list[float], **payload: object) -> StoredPoint:
    return StoredPoint(
        str(uuid.uuid4()), {"user_id": user, **payload}, {"content": content, "emotion": emotion}
    )


def test_query_is_filtered_and_ranked(store: VectorStore) -> None:
    mine_close = _point("u1", [1, 0, 0, 0], [1, 0, 0])
    mine_far = _point("u1", [0, 1, 0, 0], [0, 1, 0])
    theirs_closest = _point("u2", [1, 0, 0, 0], [1, 0, 0])
    store.upsert("experiences", [mine_close, mine_far, theirs_closest])

    hits = store.query("experiences", "emotion", [1, 0.1, 0], Conditions({"user_id": "u1"}), 10)

    assert [h.id for h in hits] == [mine_close.id, mine_far.id]
    assert hits[0].score is not None and hits[0].score > hits[1].score  # type: ignore[operator]
    assert hits[0].payload["user_id"] == "u1"


def test_query_excludes_ids_and_flags(store: VectorStore) -> None:
    a = _point("u1", [1, 0, 0, 0], [1, 0, 0], flags=[])
    b = _point("u1", [1, 0, 0, 0], [1, 0, 0], flags=["sensitive"])
    c = _point("u1", [1, 0, 0, 0], [1, 0, 0], flags=["pinned"])
    store.upsert("experiences", [a, b, c])

    conditions = Conditions({"user_id": "u1"}, {"flags": "sensitive"}, exclude_ids=(a.id,))
    hits = store.query("experiences", "emotion", [1, 0, 0], conditions, 10, with_vectors=True)

    assert [h.id for h in hits] == [c.id]
    assert hits[0].vectors is not None and len(hits[0].vectors["emotion"]) == 3
    [named] = store.query("experiences", "emotion", [1, 0, 0], conditions, 10, ["content"])
    assert named.vectors is not None and set(named.vectors) == {"content"}


def test_retrieve_scroll_count_delete(store: VectorStore) -> None:
    points = [_point("u1", [1, i, 0, 0], [1, 0, i]) for i in range(5)]
    other = _point("u2", [1, 0, 0, 0], [1, 0, 0])
    store.upsert("experiences", [*points, other])

    assert [p.id for p in store.retrieve("experiences", [points[1].id, str(uuid.uuid4())])] == [
        points[1].id
    ]
    assert store.count("experiences", Conditions({"user_id": "u1"})) == 5

    seen: list[str] = []
    offset = None
    while True:
        page, offset = store.scroll("experiences", Conditions({"user_id": "u1"}), 2, offset)
        seen += [p.id for p in page]
        if offset is None:
            break
    assert sorted(seen) == sorted(p.id for p in points)

    store.delete_ids("experiences", [points[0].id])
    assert store.count("experiences", Conditions({"user_id": "u1"})) == 4
    store.delete_where("experiences", Conditions({"user_id": "u1"}))
    assert store.count("experiences", Conditions({"user_id": "u1"})) == 0
    assert store.count("experiences", Conditions({"user_id": "u2"})) == 1


def test_bulk_delete_without_condition_is_refused(store: VectorStore) -> None:
    with pytest.raises(ValueError):
        store.delete_where("experiences", Conditions())


def test_schema_mismatch_fails_loudly(store: VectorStore) -> None:
    store.open_collection(SPEC, SCHEMA)  # same schema: fine
    with pytest.raises(StoreSchemaError, match="emosync migrate"):
        store.open_collection(SPEC, {"analyzer": "test-2"})


def test_edge_data_survives_reopen(tmp_path: Path) -> None:
    store = EdgeStore(tmp_path / "qdrant")
    store.open_collection(SPEC, SCHEMA)
    point = _point("u1", [1, 0, 0, 0], [1, 0, 0], text_len=3)
    store.upsert("experiences", [point])
    store.close()

    reopened = EdgeStore(tmp_path / "qdrant")
    reopened.open_collection(SPEC, SCHEMA)
    assert reopened.retrieve("experiences", [point.id])[0].payload["text_len"] == 3
    reopened.close()
