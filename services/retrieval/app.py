"""Retrieval service app: stateless; reads memories through the profile service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.core.analysis import TextAnalysis
from services.core.app import create_service_app
from services.core.settings import Settings, get_settings
from services.profile.client import HttpProfileClient
from services.retrieval.api import router
from services.retrieval.service import RetrievalService


def create_app(settings: Settings | None = None) -> FastAPI:
    config = settings or get_settings()
    if not config.profile_url:
        raise RuntimeError("the retrieval service needs EMOSYNC_PROFILE_URL (the profile service)")
    profile_url = config.profile_url

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        analysis = await asyncio.to_thread(TextAnalysis.from_settings, config)
        profiles = HttpProfileClient(profile_url, config.service_timeout_seconds)
        app.state.retrieval_service = RetrievalService(analysis, profiles)
        app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = False
            await profiles.aclose()
            analysis.embedder.close()

    return create_service_app(
        title="EmoSync retrieval service",
        service="retrieval",
        settings=config,
        routers=[router],
        lifespan=lifespan,
        description="Emotional-structure analysis and retrieval of a user's matching memories.",
    )
