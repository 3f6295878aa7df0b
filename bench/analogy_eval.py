"""Analogy quality and latency on our case set (bench/cases/analogy_cases.json).

    python bench/analogy_eval.py              # the offline grounded composer
    python bench/analogy_eval.py --show       # also print every analogy, to read them
    EMOSYNC_LLM_BASE_URL=... EMOSYNC_LLM_MODEL=... python bench/analogy_eval.py  # an LLM

Runs the all-in-one app over HTTP on loopback with a fresh data dir. Per case: grounding
(the analogy cites a retrieved memory and quotes from it), emotion fidelity (cosine between
the analyzer's emotion vector of the analogy text and of the target, against a generic
non-personalized analogy as baseline), sensitive-memory leaks (must be 0), latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.live_server import LiveServer
from services.allinone import create_app
from services.core.analysis import TextAnalysis
from services.core.settings import Settings

CASES = Path(__file__).with_name("cases") / "analogy_cases.json"


def phrase(memory: str) -> str:
    """A distinctive three-word run of a memory, as the analogy would retell it."""
    words = memory.lower().replace("my ", "your ").replace(" i ", " you ").split()
    return " ".join(words[3:6])


def generic_analogy(who: str, emotions: list[str]) -> str:
    """What a non-personalized helper would say: no memory of the user in it."""
    feeling = " and ".join(emotions[:2]) or "upset"
    return (
        f"Think of how {who} might feel right now. Anyone in that situation could feel "
        f"{feeling}. Try to put yourself in their shoes and imagine their side."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", action="store_true", help="print every analogy")
    args = parser.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="emosync-analogy-")))
    analysis = TextAnalysis.from_settings(settings)
    cases = json.loads(CASES.read_text())["users"]
    rows = []
    with (
        LiveServer(create_app(settings, analysis)) as server,
        httpx.Client(base_url=server.url, timeout=120) as http,
    ):
        for user in cases:
            profile = {k: user[k] for k in ("display_name", "personality", "values")}
            user_id = http.post("/v1/users", json=profile).json()["user_id"]
            items = [m if isinstance(m, dict) else {"text": m} for m in user["memories"]]
            created = http.post(f"/v1/users/{user_id}/experiences:batch", json={"items": items})
            stored = created.json()["items"]
            sensitive = {e["experience_id"]: e["text"] for e in stored if e["sensitive"]}
            texts = {e["experience_id"]: e["text"] for e in stored}
            for target in user["targets"]:
                started = time.perf_counter()
                response = http.post("/v1/analogies", json={"user_id": user_id, "target": target})
                latency = (time.perf_counter() - started) * 1000
                body = response.json()
                cited = [g["experience_id"] for g in body["grounded_in"]]
                said = body["analogy"].lower()
                top = body["target_structure"]
                emotions = sorted(top["emotions"], key=top["emotions"].get, reverse=True)
                rows.append(
                    {
                        "user": user["display_name"],
                        "who": target["who"],
                        "target": target["text"],
                        "analogy": body["analogy"],
                        "bridge": body["bridge"],
                        "generic": generic_analogy(target["who"], emotions),
                        "grounded": bool(cited) and all(i in texts for i in cited),
                        "quotes_memory": any(phrase(texts[i]) in said for i in cited),
                        "leak": any(i in sensitive for i in cited)
                        or any(phrase(t) in said for t in sensitive.values()),
                        "latency_ms": latency,
                        "backend": body["generator"]["backend"],
                        "fallback": body["generator"]["fallback"],
                    }
                )

    def vectors(texts: list[str]) -> np.ndarray:
        return np.stack([r.emotion_vector for r in asyncio.run(analysis.analyze(texts))])

    targets = vectors([r["target"] for r in rows])
    ours = vectors([r["analogy"] for r in rows])
    generic = vectors([r["generic"] for r in rows])
    fidelity = (ours * targets).sum(1)
    baseline = (generic * targets).sum(1)
    latencies = sorted(r["latency_ms"] for r in rows)
    report = {
        "cases": len(rows),
        "backend": sorted({r["backend"] for r in rows}),
        "fallbacks": sum(r["fallback"] for r in rows),
        "grounding_rate": round(float(np.mean([r["grounded"] for r in rows])), 3),
        "quotes_memory_rate": round(float(np.mean([r["quotes_memory"] for r in rows])), 3),
        "sensitive_leaks": sum(r["leak"] for r in rows),
        "emotion_fidelity_median": round(float(np.median(fidelity)), 3),
        "generic_baseline_fidelity_median": round(float(np.median(baseline)), 3),
        "fidelity_better_than_generic_rate": round(float(np.mean(fidelity > baseline)), 3),
        "not_closer_than_generic": [
            r["target"] for r, ok in zip(rows, fidelity > baseline, strict=True) if not ok
        ],
        "latency_ms_p50": round(statistics.median(latencies), 1),
        "latency_ms_max": round(latencies[-1], 1),
    }
    print(json.dumps(report, indent=2))
    if args.show:
        for row in rows:
            print(f"\n**{row['user']}** — about *{row['who']}*: “{row['target']}”\n")
            print(f"> {row['analogy']}\n>\n> *Bridge:* {row['bridge']}")
    analysis.embedder.close()


if __name__ == "__main__":
    main()
