"""Retrieval service app: stateless; reads memories through the profile service."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from services.core.analysis import TextAnalysis
from services.core.app import Shutdown, create_service_app
from services.core.settings import Settings, get_settings
from services.profile.client import HttpProfileClient
from services.retrieval.api import router
from services.retrieval.service import RetrievalService


def create_app(settings: Settings | None = None) -> FastAPI:
    config = settings or get_settings()
    if not config.profile_url:
        raise RuntimeError("the retrieval service needs EMOSYNC_PROFILE_URL (the profile service)")
    profile_url = config.profile_url

    async def startup(app: FastAPI) -> Shutdown:
        analysis = await asyncio.to_thread(TextAnalysis.from_settings, config)
        profiles = HttpProfileClient(profile_url, config.service_timeout_seconds)
        app.state.retrieval_service = RetrievalService(analysis, profiles)

        async def shutdown() -> None:
            await profiles.aclose()
            analysis.embedder.close()

        return shutdown

    return create_service_app(
        title="EmoSync retrieval service",
        service="retrieval",
        settings=config,
        routers=[router],
        startup=startup,
        description="Emotional-structure analysis and retrieval of a user's matching memories.",
    )
