"""Real processes: the three services split over HTTP, and the embedded server restarting."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import free_port, free_ports

KEY = "process-test-key"
EMOSYNC = [sys.executable, "-m", "services.cli", "serve"]


@contextmanager
def running(
    args: list[str], env: dict[str, str], port: int
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [*EMOSYNC, *args, "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{args} exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{args} did not become ready")
            time.sleep(0.2)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_three_services_over_real_http(tmp_path: Path) -> None:
    names = ("profile", "retrieval", "generator")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    env = {
        "EMOSYNC_DATA_DIR": str(tmp_path),
        "EMOSYNC_API_KEYS": KEY,
        "EMOSYNC_PROFILE_URL": f"http://127.0.0.1:{ports['profile']}",
        "EMOSYNC_RETRIEVAL_URL": f"http://127.0.0.1:{ports['retrieval']}",
    }
    auth = {"Authorization": f"Bearer {KEY}"}
    with (
        running(["profile"], env, ports["profile"]) as (profile, _),
        running(["retrieval"], env, ports["retrieval"]) as (retrieval, _),
        running(["generator"], env, ports["generator"]) as (generator, _),
    ):
        user = httpx.post(
            f"{profile}/v1/users", json={"display_name": "Split"}, headers=auth
        ).json()
        user_id = user["user_id"]
        batch = {
            "items": [
                {"text": "In school my friends moved to another table without telling me."},
                {"text": "I passed my final exam with the best grade in my class."},
                {"text": "My diary was read aloud by my brother.", "sensitive": True},
            ]
        }
        added = httpx.post(
            f"{profile}/v1/users/{user_id}/experiences:batch", json=batch, headers=auth, timeout=60
        )
        assert added.status_code == 201
        sensitive_id = added.json()["items"][2]["experience_id"]

        target = {"text": "My colleagues went to lunch together and didn't invite me."}
        found = httpx.post(
            f"{retrieval}/v1/retrieve",
            json={"user_id": user_id, "target": target, "k": 3},
            headers={**auth, "X-Request-ID": "split-flow-1"},
            timeout=60,
        )
        assert found.status_code == 200, found.text
        assert found.headers["x-request-id"] == "split-flow-1"
        assert sensitive_id not in [m["experience_id"] for m in found.json()["matches"]]

        token = httpx.post(f"{profile}/v1/users/{user_id}/tokens", headers=auth).json()["token"]
        as_user = {"Authorization": f"Bearer {token}"}
        created = httpx.post(
            f"{generator}/v1/analogies",
            json={"user_id": user_id, "target": {**target, "who": "my colleague Ana"}},
            headers=as_user,
            timeout=60,
        )
        assert created.status_code == 201, created.text
        analogy = created.json()
        assert analogy["grounded_in"] and analogy["analogy"]
        again = httpx.get(f"{generator}/v1/analogies/{analogy['analogy_id']}", headers=as_user)
        assert again.json() == analogy

        other = httpx.post(
            f"{profile}/v1/users", json={"display_name": "Other"}, headers=auth
        ).json()
        foreign = httpx.post(
            f"{retrieval}/v1/retrieve",
            json={"user_id": other["user_id"], "target": target},
            headers=as_user,
            timeout=60,
        )
        assert foreign.status_code == 404


def test_embedded_server_keeps_data_across_a_hard_kill(tmp_path: Path) -> None:
    env = {"EMOSYNC_DATA_DIR": str(tmp_path)}
    with running([], env, free_port()) as (url, process):
        user_id = httpx.post(f"{url}/v1/users", json={"display_name": "Durable"}).json()["user_id"]
        created = httpx.post(
            f"{url}/v1/users/{user_id}/experiences",
            json={"text": "I moved to Lyon alone at 19."},
            timeout=60,
        )
        experience_id = created.json()["experience_id"]
        # SIGKILL: no shutdown hook runs, so only the write-ahead log keeps the data.
        process.kill()
        process.wait(timeout=10)
    with running([], env, free_port()) as (url, _):
        assert httpx.get(f"{url}/v1/users/{user_id}/experiences/{experience_id}").status_code == 200


def test_non_loopback_host_without_keys_refuses_to_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [*EMOSYNC, "--host", "0.0.0.0", "--port", str(free_port())],
        env={**os.environ, "EMOSYNC_DATA_DIR": str(tmp_path), "EMOSYNC_API_KEYS": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "EMOSYNC_API_KEYS" in result.stderr
