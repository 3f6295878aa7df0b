"""Service keys, per-user tokens, and the open loopback-only mode."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import jwt
import pytest

from services.core.auth import Authenticator
from services.core.errors import APIError
from tests.conftest import SERVICE_KEY, LiveServer, add_experiences, create_user, make_settings


def _as(token: str, server: LiveServer) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {token}"}
    )


def test_requests_without_or_with_bad_credentials_are_401(auth_server: LiveServer) -> None:
    with httpx.Client(base_url=auth_server.url) as anonymous:
        response = anonymous.post("/v1/users", json={"display_name": "x"})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "unauthorized"
    for header in ("Bearer wrong-key", "Basic abc", "Bearer", "Bearer a.b.c"):
        with httpx.Client(base_url=auth_server.url, headers={"Authorization": header}) as bad:
            assert bad.post("/v1/users", json={"display_name": "x"}).status_code == 401


def test_user_tokens_reach_only_their_user(
    service_client: httpx.Client, auth_server: LiveServer
) -> None:
    alice, bob = create_user(service_client), create_user(service_client)
    [bobs_memory] = add_experiences(service_client, bob, ["I got lost in the mountains."])
    issued = service_client.post(f"/v1/users/{alice}/tokens")
    assert issued.status_code == 201
    token = issued.json()["token"]

    with _as(token, auth_server) as as_alice:
        assert as_alice.get(f"/v1/users/{alice}").status_code == 200
        assert (
            as_alice.post(f"/v1/users/{alice}/experiences", json={"text": "Mine."}).status_code
            == 201
        )
        # Another user's data looks exactly like a missing user.
        assert as_alice.get(f"/v1/users/{bob}").status_code == 404
        assert as_alice.get(f"/v1/users/{bob}/experiences/{bobs_memory}").status_code == 404
        assert as_alice.delete(f"/v1/users/{bob}").status_code == 404
        retrieve = {"user_id": bob, "target": {"text": "Someone felt lost."}}
        assert as_alice.post("/v1/retrieve", json=retrieve).status_code == 404
        # Users cannot create users or mint tokens.
        assert as_alice.post("/v1/users", json={"display_name": "x"}).status_code == 403
        assert as_alice.post(f"/v1/users/{alice}/tokens").status_code == 403
    assert service_client.get(f"/v1/users/{bob}").status_code == 200


def test_sensitive_memories_need_the_users_own_token(
    service_client: httpx.Client, auth_server: LiveServer
) -> None:
    user_id = create_user(service_client)
    add_experiences(service_client, user_id, ["My divorce papers arrived."], sensitive=True)
    body = {
        "user_id": user_id,
        "target": {"text": "Her marriage ended."},
        "include_sensitive": True,
    }
    assert service_client.post("/v1/retrieve", json=body).status_code == 403
    token = service_client.post(f"/v1/users/{user_id}/tokens").json()["token"]
    with _as(token, auth_server) as as_user:
        response = as_user.post("/v1/retrieve", json=body)
        assert response.status_code == 200
        assert [m["sensitive"] for m in response.json()["matches"]] == [True]


def test_expired_and_forged_tokens_are_rejected(tmp_path: Path) -> None:
    authenticator = Authenticator(make_settings(tmp_path, api_keys=SERVICE_KEY))
    token, _ = authenticator.issue_token("u1")
    assert authenticator.authenticate(f"Bearer {token}").user_id == "u1"
    expired = jwt.encode(
        {"sub": "u1", "iss": "emosync", "iat": 0, "exp": int(time.time()) - 10},
        (tmp_path / "jwt_secret").read_bytes().strip(),
        algorithm="HS256",
    )
    forged = jwt.encode({"sub": "u1", "iss": "emosync", "exp": int(time.time()) + 60}, "x" * 32)
    for bad in (expired, forged, token + "x"):
        with pytest.raises(APIError) as caught:
            authenticator.authenticate(f"Bearer {bad}")
        assert caught.value.status_code == 401


def test_the_token_secret_is_shared_through_the_data_dir(tmp_path: Path) -> None:
    first = Authenticator(make_settings(tmp_path, api_keys=SERVICE_KEY))
    second = Authenticator(make_settings(tmp_path, api_keys=SERVICE_KEY))
    token, _ = first.issue_token("u1")
    assert second.authenticate(f"Bearer {token}").user_id == "u1"
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o077 == 0


def test_open_mode_is_loopback_only(tmp_path: Path) -> None:
    open_settings = make_settings(tmp_path)
    for host in ("127.0.0.1", "localhost", "::1"):
        open_settings.check_bind_address(host)
    with pytest.raises(RuntimeError, match="EMOSYNC_API_KEYS"):
        open_settings.check_bind_address("0.0.0.0")
    make_settings(tmp_path, api_keys="k1,k2").check_bind_address("0.0.0.0")


def test_api_keys_are_comma_separated(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, api_keys=" k1, k2 ,")
    assert [k.get_secret_value() for k in settings.api_keys] == ["k1", "k2"]
