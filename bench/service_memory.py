"""Start-up time and memory of the three services run as separate processes (for sizing).

    python bench/service_memory.py [--writes 200] [--queries 60]

Starts profile, retrieval and generator with `emosync serve <name>` on loopback (embedded
store, offline analyzer and composer), then reports each one's time to ready and resident
memory idle, after writes through the profile service and after retrievals/analogies.
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
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.datasets import load_corpus
from devtools.live_server import free_port

KEY = "bench-key"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()
    ports = {name: free_port() for name in ("profile", "retrieval", "generator")}
    env = {
        **os.environ,
        "EMOSYNC_DATA_DIR": tempfile.mkdtemp(prefix="emosync-sizing-"),
        "EMOSYNC_API_KEYS": KEY,
        "EMOSYNC_PROFILE_URL": f"http://127.0.0.1:{ports['profile']}",
        "EMOSYNC_RETRIEVAL_URL": f"http://127.0.0.1:{ports['retrieval']}",
    }
    processes, ready_s = {}, {}
    try:
        for name, port in ports.items():
            started = time.perf_counter()
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "services.cli", "serve", name, "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            ready_s[name] = round(time.perf_counter() - started, 2)
        memory = {"idle": {n: rss_mib(p.pid) for n, p in processes.items()}}
        auth = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(headers=auth, timeout=60) as http:
            profile, retrieval, generator = (f"http://127.0.0.1:{ports[n]}" for n in ports)
            user_id = http.post(f"{profile}/v1/users", json={"display_name": "s"}).json()["user_id"]
            texts = [r.text for r in load_corpus()][: args.writes]
            write_ms = []
            for text in texts:
                t0 = time.perf_counter()
                http.post(f"{profile}/v1/users/{user_id}/experiences", json={"text": text})
                write_ms.append((time.perf_counter() - t0) * 1000)
            memory["after_writes"] = {n: rss_mib(p.pid) for n, p in processes.items()}
            retrieve_ms, analogy_ms = [], []
            for i in range(args.queries):
                target = {"text": texts[-1 - i]}
                t0 = time.perf_counter()
                found = http.post(
                    f"{retrieval}/v1/retrieve", json={"user_id": user_id, "target": target}
                )
                retrieve_ms.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                analogy = http.post(
                    f"{generator}/v1/analogies",
                    json={"user_id": user_id, "target": {**target, "who": "my friend"}},
                )
                analogy_ms.append((time.perf_counter() - t0) * 1000)
                assert found.status_code == 200 and analogy.status_code == 201
            memory["after_queries"] = {n: rss_mib(p.pid) for n, p in processes.items()}
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=30)
    print(
        json.dumps(
            {
                "ready_s": ready_s,
                "rss_mib": memory,
                "add_experience_ms_p50": round(statistics.median(write_ms), 1),
                "retrieve_ms_p50_split": round(statistics.median(retrieve_ms), 1),
                "analogy_ms_p50_split": round(statistics.median(analogy_ms), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
