"""Analogies through the embedded server's HTTP API (offline grounded composer)."""

from __future__ import annotations

import json

import httpx

from tests.conftest import add_experiences, create_user

TARGET = {
    "text": "Ana has been left out of the team's Friday drinks for months.",
    "who": "my colleague Ana",
}
MEMORIES = [
    "In school my friends moved to another table without telling me, and I ate alone for weeks.",
    "I won the regional chess final when I was twelve.",
]


def test_analogy_is_grounded_in_a_retrieved_memory(client: httpx.Client) -> None:
    user_id = create_user(client, personality={"neuroticism": 0.8})
    ids = add_experiences(client, user_id, MEMORIES)
    response = client.post("/v1/analogies", json={"user_id": user_id, "target": TARGET})
    assert response.status_code == 201
    body = response.json()
    assert body["grounded_in"] and {g["experience_id"] for g in body["grounded_in"]} <= set(ids)
    assert body["generator"] == {
        "backend": "composer",
        "model": "grounded-composer",
        "prompt_version": "composer-1",
        "fallback": False,
    }
    assert "Ana" in body["analogy"] and body["bridge"]
    assert len(body["analogy"].split()) <= 90
    stored = client.get(f"/v1/analogies/{body['analogy_id']}", params={"user_id": user_id})
    assert stored.status_code == 200 and stored.json() == body


def test_streaming_sends_deltas_then_the_metadata(client: httpx.Client) -> None:
    user_id = create_user(client)
    add_experiences(client, user_id, MEMORIES)
    with client.stream(
        "POST", "/v1/analogies", json={"user_id": user_id, "target": TARGET, "stream": True}
    ) as response:
        assert response.status_code == 201
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [block for block in response.read().decode().split("\n\n") if block]
    kinds = [block.split("\n")[0] for block in events]
    assert set(kinds[:-1]) == {"event: delta"} and kinds[-1] == "event: done"
    text = "".join(json.loads(b.split("data: ", 1)[1])["text"] for b in events[:-1])
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert text == final["analogy"] and final["grounded_in"]


def test_accept_header_also_selects_streaming(client: httpx.Client) -> None:
    user_id = create_user(client)
    add_experiences(client, user_id, MEMORIES)
    response = client.post(
        "/v1/analogies",
        json={"user_id": user_id, "target": TARGET},
        headers={"Accept": "text/event-stream"},
    )
    assert response.headers["content-type"].startswith("text/event-stream")


def test_no_usable_memories_is_a_clear_409(client: httpx.Client) -> None:
    user_id = create_user(client)
    response = client.post("/v1/analogies", json={"user_id": user_id, "target": TARGET})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "experiences_needed"
    add_experiences(client, user_id, ["My sister read my diary aloud."], sensitive=True)
    response = client.post("/v1/analogies", json={"user_id": user_id, "target": TARGET})
    assert response.status_code == 409  # sensitive memories are never used


def test_sensitive_memories_never_appear(client: httpx.Client) -> None:
    user_id = create_user(client)
    secret = "At nine I was locked out of the house by my stepfather all night."
    [secret_id] = add_experiences(client, user_id, [secret], sensitive=True)
    add_experiences(client, user_id, MEMORIES)
    body = client.post("/v1/analogies", json={"user_id": user_id, "target": TARGET}).json()
    assert secret_id not in {g["experience_id"] for g in body["grounded_in"]}
    assert "stepfather" not in body["analogy"] + body["bridge"]


def test_analogies_are_scoped_and_deleted_with_the_user(client: httpx.Client) -> None:
    owner, other = create_user(client), create_user(client)
    add_experiences(client, owner, MEMORIES)
    analogy_id = client.post("/v1/analogies", json={"user_id": owner, "target": TARGET}).json()[
        "analogy_id"
    ]
    assert client.get(f"/v1/analogies/{analogy_id}", params={"user_id": other}).status_code == 404
    assert client.delete(f"/v1/users/{owner}").status_code == 204
    assert client.get(f"/v1/analogies/{analogy_id}", params={"user_id": owner}).status_code == 404
