"""Profile service app: the only owner of the store (users, experiences, analogies)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from services.core.analysis import TextAnalysis
from services.core.app import Shutdown, add_readiness_check, create_service_app
from services.core.settings import Settings, get_settings
from services.core.store import VectorStore, open_store
from services.profile.api import router
from services.profile.repository import EXPERIENCES, ProfileRepository, collection_specs
from services.profile.service import ProfileService

# Users and analogies hold no model output, so only their payload format is versioned.
_PLAIN_SCHEMA = {"format": 1}


@dataclass
class ProfileRuntime:
    store: VectorStore
    service: ProfileService

    def close(self) -> None:
        self.store.close()


def open_profile_store(settings: Settings, analysis: TextAnalysis) -> VectorStore:
    """Open (or create) every collection; refuse data written under another model schema."""
    store = open_store(settings)
    try:
        for spec in collection_specs(analysis.content_size, analysis.emotion_size):
            schema = analysis.schema() if spec.name == EXPERIENCES else _PLAIN_SCHEMA
            store.open_collection(spec, schema)
    except BaseException:
        store.close()
        raise
    return store


async def start_profile(settings: Settings, analysis: TextAnalysis) -> ProfileRuntime:
    store = await asyncio.to_thread(open_profile_store, settings, analysis)
    service = ProfileService(ProfileRepository(store), analysis, settings.max_experiences_per_user)
    return ProfileRuntime(store, service)


def create_app(settings: Settings | None = None) -> FastAPI:
    config = settings or get_settings()

    async def startup(app: FastAPI) -> Shutdown:
        analysis = await asyncio.to_thread(TextAnalysis.from_settings, config)
        runtime = await start_profile(config, analysis)
        app.state.profile_service = runtime.service
        add_readiness_check(app, lambda: run_in_threadpool(runtime.store.ping))

        async def shutdown() -> None:
            runtime.close()
            analysis.embedder.close()

        return shutdown

    return create_service_app(
        title="EmoSync profile service",
        service="profile",
        settings=config,
        routers=[router],
        startup=startup,
        description="Users, their narrated experiences with emotional structure, and search.",
    )
