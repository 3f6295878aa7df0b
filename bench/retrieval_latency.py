"""End-to-end latency of POST /v1/retrieve on the embedded all-in-one server, over HTTP.

    python bench/retrieval_latency.py [--sizes 10000,100000] [--requests 300]

For each collection size: a fresh data dir holding one real user with 1,000 experiences
(written through the API: real embeddings and analyzer) and other users' points as
synthetic unit vectors (100 users), then `emosync serve` in its own process, warm-up, and
sequential requests with varied targets. Reports p50/p99 and the server's memory (RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.datasets import load_corpus
from services.core.analysis import TextAnalysis
from services.core.settings import Settings
from services.core.store import StoredPoint
from services.profile.app import open_profile_store
from services.profile.repository import EXPERIENCES

TARGETS = [
    "My colleague keeps being left out of team drinks.",
    "Her father died last month and she could not be there.",
    "He is waiting for the results of his scan.",
    "My friend was humiliated by her boss in front of everyone.",
    "They cheated him out of his deposit.",
    "She finally got the job she wanted for years.",
    "He lied to his wife and she found out.",
    "My son was laughed at when he sang at school.",
]


def fill_synthetic(settings: Settings, analysis: TextAnalysis, count: int, seed: int) -> None:
    """Other users' points: random unit vectors, payloads shaped like real experiences."""
    store = open_profile_store(settings, analysis)
    rng = np.random.default_rng(seed)
    users = [str(uuid.uuid4()) for _ in range(100)]
    batch = 2000
    for start in range(0, count, batch):
        n = min(batch, count - start)
        content = rng.normal(size=(n, analysis.content_size)).astype(np.float32)
        emotion = rng.normal(size=(n, analysis.emotion_size)).astype(np.float32)
        content /= np.linalg.norm(content, axis=1, keepdims=True)
        emotion /= np.linalg.norm(emotion, axis=1, keepdims=True)
        store.upsert(
            EXPERIENCES,
            [
                StoredPoint(
                    str(uuid.uuid4()),
                    {"user_id": users[(start + i) % len(users)], "text": "synthetic", "flags": []},
                    {"content": content[i].tolist(), "emotion": emotion[i].tolist()},
                )
                for i in range(n)
            ],
        )
    store.close()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(size: int, requests: int, analysis: TextAnalysis, texts: list[str]) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix=f"emosync-latency-{size}-"))
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    started = time.perf_counter()
    fill_synthetic(settings, analysis, size - 1000, seed=size)
    fill_seconds = time.perf_counter() - started
    port = 18000 + size % 1000
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "--port", str(port)],
        env={**os.environ, "EMOSYNC_DATA_DIR": str(data_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        boot = time.perf_counter()
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        startup = time.perf_counter() - boot
        with httpx.Client(base_url=url, timeout=60) as client:
            user_id = client.post("/v1/users", json={"display_name": "bench"}).json()["user_id"]
            for i in range(0, 1000, 250):
                items = [{"text": t} for t in texts[i : i + 250]]
                response = client.post(
                    f"/v1/users/{user_id}/experiences:batch", json={"items": items}
                )
                response.raise_for_status()
            for target in TARGETS * 3:  # warm-up
                client.post("/v1/retrieve", json={"user_id": user_id, "target": {"text": target}})
            latencies = []
            for i in range(requests):
                body = {
                    "user_id": user_id,
                    "target": {"text": TARGETS[i % len(TARGETS)] + f" ({i})"},
                }
                t0 = time.perf_counter()
                response = client.post("/v1/retrieve", json=body)
                latencies.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200 and len(response.json()["matches"]) == 3
        latencies.sort()
        return {
            "points": size,
            "requests": requests,
            "p50_ms": round(statistics.median(latencies), 2),
            "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 2),
            "max_ms": round(latencies[-1], 2),
            "server_rss_mb": round(rss_mb(server.pid), 1),
            "startup_s": round(startup, 2),
            "synthetic_fill_s": round(fill_seconds, 1),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    analysis = TextAnalysis.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    corpus = [r.text for r in load_corpus()]
    texts = [corpus[i % len(corpus)] for i in range(1000)]
    results = [measure(int(s), args.requests, analysis, texts) for s in args.sizes.split(",")]
    print(json.dumps({"results": results, "cpu_count": os.cpu_count()}, indent=2))


if __name__ == "__main__":
    main()
