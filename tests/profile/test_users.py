"""Users through the HTTP API of the embedded server."""

from __future__ import annotations

import httpx

from tests.conftest import create_user


def test_create_get_update_delete_user(client: httpx.Client) -> None:
    created = client.post(
        "/v1/users",
        json={
            "display_name": "Mina",
            "locale": "ko-KR",
            "background": "Grew up in Pohang, now a nurse in Seoul.",
            "personality": {"openness": 0.8, "neuroticism": 0.3},
            "values": {"benevolence": 0.9, "achievement": 0.4},
        },
    )
    assert created.status_code == 201
    user = created.json()
    assert user["personality"]["openness"] == 0.8 and user["values"]["benevolence"] == 0.9

    fetched = client.get(f"/v1/users/{user['user_id']}").json()
    assert fetched == user

    patched = client.patch(f"/v1/users/{user['user_id']}", json={"display_name": "Mina K."})
    assert patched.status_code == 200
    assert patched.json()["display_name"] == "Mina K."
    assert patched.json()["background"] == user["background"]

    assert client.delete(f"/v1/users/{user['user_id']}").status_code == 204
    missing = client.get(f"/v1/users/{user['user_id']}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_tipi_is_scored_with_the_published_key(client: httpx.Client) -> None:
    # Extraverted (1=7, 6R=1), agreeable (2R=1, 7=7), calm (4R=1, 9=7) ...
    answers = [7, 1, 4, 1, 5, 1, 7, 4, 7, 3]
    user = client.post("/v1/users", json={"display_name": "T", "tipi": answers}).json()
    traits = user["personality"]
    assert traits["extraversion"] == 1.0
    assert traits["agreeableness"] == 1.0
    assert traits["neuroticism"] == 0.0
    assert traits["conscientiousness"] == 0.5  # (4 + (8-4)) / 2 = 4 -> 0.5
    assert traits["openness"] == round(((5 + 5) / 2 - 1) / 6, 4)


def test_invalid_users_are_rejected_with_one_error_shape(client: httpx.Client) -> None:
    cases = [
        {},
        {"display_name": ""},
        {"display_name": "x", "personality": {"openness": 1.5}},
        {"display_name": "x", "values": {"wealth": 0.5}},
        {"display_name": "x", "tipi": [1, 2, 3]},
        {"display_name": "x", "tipi": [8] * 10},
        {"display_name": "x", "tipi": [4] * 10, "personality": {"openness": 0.5}},
        {"display_name": "x", "locale": "not a locale!"},
        {"display_name": "x", "unexpected": True},
    ]
    for body in cases:
        response = client.post("/v1/users", json=body)
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["code"] == "validation_error" and error["message"]


def test_unknown_and_malformed_user_ids_are_404(client: httpx.Client) -> None:
    for user_id in ("00000000-0000-4000-8000-000000000000", "not-a-uuid"):
        response = client.get(f"/v1/users/{user_id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_patch_with_tipi_rescores_personality(client: httpx.Client) -> None:
    user_id = create_user(client, personality={"openness": 0.1})
    patched = client.patch(f"/v1/users/{user_id}", json={"tipi": [4] * 10})
    assert patched.status_code == 200
    assert patched.json()["personality"]["openness"] == 0.5
