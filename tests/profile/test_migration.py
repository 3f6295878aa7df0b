"""A store written under other analyzer settings is refused, then migrated without loss."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.core.analysis import TextAnalysis
from services.core.analyzer.offline import VectorWeights
from services.core.store import Conditions, StoreSchemaError
from services.profile.app import open_profile_store, start_profile
from services.profile.migration import migrate
from services.profile.repository import EXPERIENCES
from services.profile.schemas import ExperienceCreate, UserCreate
from tests.conftest import make_settings


def test_schema_change_is_refused_then_migrated(tmp_path: Path, analysis: TextAnalysis) -> None:
    settings = make_settings(tmp_path)

    async def write() -> tuple[str, list[str]]:
        runtime = await start_profile(settings, analysis)
        user = await runtime.service.create_user(UserCreate(display_name="M"))
        items = [ExperienceCreate(text=f"I lost my wallet in Rome, day {i}.") for i in range(70)]
        added = await runtime.service.add_experiences(user.user_id, items)
        runtime.close()
        return user.user_id, [e.experience_id for e in added]

    user_id, ids = asyncio.run(write())
    reweighted = TextAnalysis(
        analysis.embedder, analysis.analyzer, VectorWeights(1.0, 0.0, 0.0, 0.0, 0.0)
    )
    with pytest.raises(StoreSchemaError, match="emosync migrate"):
        open_profile_store(settings, reweighted)

    assert migrate(settings, reweighted) == 70
    assert migrate(settings, reweighted) == 0  # already current

    store = open_profile_store(settings, reweighted)
    try:
        assert store.count(EXPERIENCES, Conditions({"user_id": user_id})) == 70
        [point] = store.retrieve(EXPERIENCES, [ids[0]], with_vectors=True)
        assert point.payload["text"] == "I lost my wallet in Rome, day 0."
        assert point.vectors is not None
        [expected] = asyncio.run(reweighted.analyze([point.payload["text"]]))
        assert point.vectors["emotion"] == pytest.approx(expected.emotion_vector.tolist(), abs=1e-5)
    finally:
        store.close()
