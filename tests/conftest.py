"""Shared fixtures: the real embedding model (loaded once) and live servers over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools.live_server import LiveServer, free_port, free_ports
from services.core.analysis import TextAnalysis
from services.core.settings import Settings

SERVICE_KEY = "test-service-key"
__all__ = ["LiveServer", "free_port", "free_ports"]


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    # _env_file=None: tests never read a developer's .env.
    return Settings(_env_file=None, data_dir=data_dir, **overrides)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TextAnalysis]:
    models = TextAnalysis.from_settings(make_settings(tmp_path_factory.mktemp("models")))
    yield models
    models.embedder.close()


@pytest.fixture(scope="session")
def open_server(
    tmp_path_factory: pytest.TempPathFactory, analysis: TextAnalysis
) -> Iterator[LiveServer]:
    """The embedded all-in-one server with no keys (open, loopback only)."""
    from services.allinone import create_app

    settings = make_settings(tmp_path_factory.mktemp("open"))
    with LiveServer(create_app(settings, analysis)) as server:
        yield server


@pytest.fixture(scope="session")
def auth_server(
    tmp_path_factory: pytest.TempPathFactory, analysis: TextAnalysis
) -> Iterator[LiveServer]:
    """The all-in-one server with a service key configured."""
    from services.allinone import create_app

    settings = make_settings(tmp_path_factory.mktemp("auth"), api_keys=SERVICE_KEY)
    with LiveServer(create_app(settings, analysis)) as server:
        yield server


@pytest.fixture
def client(open_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=open_server.url, timeout=60) as http:
        yield http


@pytest.fixture
def service_client(auth_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=auth_server.url, timeout=60, headers={"Authorization": f"Bearer {SERVICE_KEY}"}
    ) as http:
        yield http


def create_user(http: httpx.Client, **fields: object) -> str:
    response = http.post("/v1/users", json={"display_name": "Test User", **fields})
    assert response.status_code == 201, response.text
    return str(response.json()["user_id"])


def add_experiences(
    http: httpx.Client, user_id: str, texts: list[str], **fields: object
) -> list[str]:
    response = http.post(
        f"/v1/users/{user_id}/experiences:batch",
        json={"items": [{"text": text, **fields} for text in texts]},
    )
    assert response.status_code == 201, response.text
    return [item["experience_id"] for item in response.json()["items"]]
