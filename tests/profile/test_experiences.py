"""Experiences: ingestion with the real model and store, pagination, edits, deletion."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from services.core.analyzer.labels import APPRAISAL_DIMENSIONS, EMOTIONS
from services.core.store import Conditions
from services.profile.repository import ANALOGIES, EXPERIENCES, USERS
from tests.conftest import LiveServer, add_experiences, create_user


def test_add_experience_answers_its_structure(client: httpx.Client) -> None:
    user_id = create_user(client)
    response = client.post(
        f"/v1/users/{user_id}/experiences",
        json={
            "text": "My dog died last winter after fourteen years with us.",
            "title": "Losing Bodhi",
            "occurred_at": "2025-01-14",
            "tags": ["family"],
            "people": ["Bodhi"],
        },
    )
    assert response.status_code == 201
    body = response.json()
    structure = body["structure"]
    assert set(structure["emotions"]) == set(EMOTIONS)
    assert set(structure["appraisal"]) == set(APPRAISAL_DIMENSIONS)
    assert structure["analyzer"]["name"] == "offline"
    assert body["title"] == "Losing Bodhi" and body["occurred_at"] == "2025-01-14"
    assert client.get(f"/v1/users/{user_id}/experiences/{body['experience_id']}").json() == body


def test_batch_keeps_request_order(client: httpx.Client) -> None:
    user_id = create_user(client)
    texts = [f"Memory number {i}: I walked to the market with my aunt." for i in range(12)]
    ids = add_experiences(client, user_id, texts)
    for experience_id, text in zip(ids, texts, strict=True):
        assert client.get(f"/v1/users/{user_id}/experiences/{experience_id}").json()["text"] == text


def test_batch_is_all_or_nothing(client: httpx.Client) -> None:
    user_id = create_user(client)
    items = [{"text": "A fine day at the beach."}, {"text": "   "}, {"text": "Another one."}]
    response = client.post(f"/v1/users/{user_id}/experiences:batch", json={"items": items})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"][:3] == ["body", "items", 1]
    assert client.get(f"/v1/users/{user_id}/experiences").json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "x" * 4001},
        {"text": "ok", "tags": ["t"] * 21},
        {"text": "ok", "occurred_at": "yesterday"},
        {"text": "ok", "user_id": "someone-else"},
    ],
)
def test_invalid_experiences_are_422(client: httpx.Client, body: dict) -> None:
    user_id = create_user(client)
    response = client.post(f"/v1/users/{user_id}/experiences", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_batch_limit(client: httpx.Client) -> None:
    user_id = create_user(client)
    items = [{"text": "short"}] * 257
    assert (
        client.post(f"/v1/users/{user_id}/experiences:batch", json={"items": items}).status_code
        == 422
    )


def test_cursor_pagination_covers_everything_once(client: httpx.Client) -> None:
    user_id = create_user(client)
    ids = add_experiences(client, user_id, [f"Day {i} of the trip to Lisbon." for i in range(7)])
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/v1/users/{user_id}/experiences", params=params).json()
        seen += [item["experience_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    bad = client.get(f"/v1/users/{user_id}/experiences", params={"cursor": "nope"})
    assert bad.status_code == 422


def test_patch_text_recomputes_structure_and_other_fields_keep_it(client: httpx.Client) -> None:
    user_id = create_user(client)
    [experience_id] = add_experiences(client, user_id, ["I won the regional chess final."])
    url = f"/v1/users/{user_id}/experiences/{experience_id}"
    before = client.get(url).json()

    retitled = client.patch(url, json={"title": "Chess", "sensitive": True}).json()
    assert retitled["structure"] == before["structure"] and retitled["sensitive"] is True

    rewritten = client.patch(
        url, json={"text": "My father was taken to hospital and died that night."}
    ).json()
    assert rewritten["structure"] != before["structure"]
    assert rewritten["title"] == "Chess" and rewritten["created_at"] == before["created_at"]


def test_delete_experience(client: httpx.Client) -> None:
    user_id = create_user(client)
    [experience_id] = add_experiences(client, user_id, ["I lost my keys at the station."])
    url = f"/v1/users/{user_id}/experiences/{experience_id}"
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert client.delete(url).status_code == 404


def test_experiences_of_another_user_are_not_found(client: httpx.Client) -> None:
    owner, other = create_user(client), create_user(client)
    [experience_id] = add_experiences(client, owner, ["My sister got married in Accra."])
    assert client.get(f"/v1/users/{other}/experiences/{experience_id}").status_code == 404
    assert client.delete(f"/v1/users/{other}/experiences/{experience_id}").status_code == 404
    assert client.get(f"/v1/users/{owner}/experiences/{experience_id}").status_code == 200


def test_deleting_a_user_removes_every_point(client: httpx.Client, open_server: LiveServer) -> None:
    user_id = create_user(client)
    add_experiences(client, user_id, ["First memory.", "Second memory.", "Third memory."])
    keeper = create_user(client)
    add_experiences(client, keeper, ["Someone else's memory."])

    assert client.delete(f"/v1/users/{user_id}").status_code == 204

    app: FastAPI = open_server.server.config.app
    store = app.state.profile_service.repository.store
    for collection in (USERS, EXPERIENCES, ANALOGIES):
        remaining, offset = [], None
        while True:  # scan the whole collection, not just a filtered count
            page, offset = store.scroll(collection, Conditions(), 256, offset)
            remaining += [p for p in page if p.payload.get("user_id") == user_id]
            if offset is None:
                break
        assert remaining == [], collection
    assert store.count(EXPERIENCES, Conditions({"user_id": keeper})) == 1


def test_large_bodies_are_413(client: httpx.Client) -> None:
    user_id = create_user(client)
    response = client.post(
        f"/v1/users/{user_id}/experiences",
        content=b'{"text": "' + b"a" * 1_100_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_search_endpoint_is_filtered_to_the_user(
    client: httpx.Client, open_server: LiveServer
) -> None:
    owner, other = create_user(client), create_user(client)
    mine = add_experiences(client, owner, ["I failed my driving test twice."])
    add_experiences(client, other, ["I failed my driving test twice."])
    app: FastAPI = open_server.server.config.app
    size = app.state.profile_service.analysis.emotion_size
    response = client.post(
        f"/v1/users/{owner}/experiences:search",
        json={"vector": [1.0] * size, "limit": 10, "with_vectors": True},
    )
    assert response.status_code == 200
    body = response.json()
    assert [hit["experience"]["experience_id"] for hit in body["items"]] == mine
    assert body["total_experiences"] == 1
    assert set(body["items"][0]["vectors"]) == {"content", "emotion"}
    only_content = client.post(
        f"/v1/users/{owner}/experiences:search",
        json={"vector": [1.0] * size, "with_vectors": ["content"]},
    )
    assert set(only_content.json()["items"][0]["vectors"]) == {"content"}
    unknown_vector = client.post(
        f"/v1/users/{owner}/experiences:search",
        json={"vector": [1.0] * size, "with_vectors": ["topic"]},
    )
    assert unknown_vector.status_code == 422
    wrong_size = client.post(f"/v1/users/{owner}/experiences:search", json={"vector": [1.0, 0.0]})
    assert wrong_size.status_code == 422
