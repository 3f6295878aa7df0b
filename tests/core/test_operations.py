"""Health, readiness, metrics, request ids, and error translation."""

from __future__ import annotations

import json

import httpx
import pytest
from qdrant_client import QdrantClient

from services.core.errors import StoreUnavailableError
from services.core.store import Conditions
from services.core.store.server import ServerStore
from tests.conftest import create_user, free_port


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_metrics_use_route_templates(client: httpx.Client) -> None:
    user_id = create_user(client)
    client.get(f"/v1/users/{user_id}")
    text = client.get("/metrics").text
    assert 'route="/v1/users/{user_id}"' in text
    assert user_id not in text  # ids never become label values
    for name in (
        "emosync_http_requests_total",
        "emosync_http_request_duration_seconds_bucket",
        "emosync_embedding_duration_seconds_count",
        "emosync_store_operation_duration_seconds_count",
    ):
        assert name in text


def test_request_id_is_echoed_or_created(client: httpx.Client) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


def test_unknown_routes_use_the_error_shape(client: httpx.Client) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unreachable_qdrant_server_is_503_with_retry_after() -> None:
    store = ServerStore(QdrantClient(url=f"http://127.0.0.1:{free_port()}", timeout=1))
    with pytest.raises(StoreUnavailableError) as caught:
        store.count("experiences", Conditions({"user_id": "u"}))
    assert caught.value.status_code == 503
    assert caught.value.headers == {"Retry-After": "5"}


def test_logs_are_json_with_request_ids_and_never_hold_experience_text(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    from services.core.observability import JsonLogFormatter

    secret = "my-very-private-memory-7f3a"
    user_id = create_user(client)
    with caplog.at_level("INFO"):
        client.post(
            f"/v1/users/{user_id}/experiences",
            json={"text": f"I told nobody about {secret}."},
            headers={"X-Request-ID": "log-check-1"},
        )
        client.post(f"/v1/users/{user_id}/experiences", json={"text": secret * 200})  # 422
    formatter = JsonLogFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert all(secret not in line for line in lines)
    route = '"route": "/v1/users/{user_id}/experiences"'
    access = [json.loads(line) for line in lines if route in line]
    assert {entry["status"] for entry in access} == {201, 422}
    assert any(entry["request_id"] == "log-check-1" for entry in access)
