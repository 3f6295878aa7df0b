"""`emosync migrate`: recompute every experience's vectors with the current models.

Run with the services stopped (the embedded store admits one process). Experiences are
first dumped to a file in the data dir, so an interrupted migration resumes from it
instead of losing data; then the collection is recreated with the current vector sizes
and every experience is re-analyzed from its text, keeping its id and fields.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

from services.core.analysis import TextAnalysis
from services.core.settings import Settings
from services.core.store import Conditions, VectorStore, open_store
from services.profile.app import open_profile_store
from services.profile.repository import EXPERIENCES, collection_specs
from services.profile.service import experience_point

_DONE = {"dump": "complete"}
_BATCH = 64


def migrate(settings: Settings, analysis: TextAnalysis) -> int:
    """Returns how many experiences were re-analyzed (0 when already current)."""
    dump = Path(settings.data_dir) / "migration-experiences.jsonl"
    spec = next(
        s
        for s in collection_specs(analysis.content_size, analysis.emotion_size)
        if s.name == EXPERIENCES
    )
    store = open_store(settings)
    try:
        store.ensure_collection(spec)
        stored = store.stored_schema(EXPERIENCES)
        current = store.schema_record(spec, analysis.schema())
        if stored == current and not dump.exists():
            return 0
        if not _complete(dump):
            _dump(store, dump)
        store.recreate_collection(spec)
        migrated = 0
        for batch in _batches(dump):
            results = asyncio.run(analysis.analyze([p["text"] for p in batch]))
            points = [
                experience_point(p["id"], p, r, p["created_at"], p["updated_at"])
                for p, r in zip(batch, results, strict=True)
            ]
            for point, payload in zip(points, batch, strict=True):
                point.payload["user_id"] = payload["user_id"]
                point.payload["flags"] = payload.get("flags", [])
            store.upsert(EXPERIENCES, points)
            migrated += len(points)
        store.write_schema(spec, analysis.schema())
        dump.unlink()
    finally:
        store.close()
    # Opening as the service does proves the store is now consistent.
    open_profile_store(settings, analysis).close()
    return migrated


def _dump(store: VectorStore, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        offset = None
        while True:
            page, offset = store.scroll(EXPERIENCES, Conditions(), 256, offset)
            for point in page:
                out.write(json.dumps({"id": point.id, **point.payload}) + "\n")
            if offset is None:
                break
        out.write(json.dumps(_DONE) + "\n")


def _complete(path: Path) -> bool:
    if not path.exists():
        return False
    lines = path.read_text(encoding="utf-8").splitlines()
    return bool(lines) and json.loads(lines[-1]) == _DONE


def _batches(path: Path) -> Iterator[list[dict]]:
    batch: list[dict] = []
    with path.open(encoding="utf-8") as source:
        for line in source:
            row = json.loads(line)
            if row == _DONE:
                break
            batch.append(row)
            if len(batch) == _BATCH:
                yield batch
                batch = []
    if batch:
        yield batch
