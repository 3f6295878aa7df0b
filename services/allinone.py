"""The embedded all-in-one server: the three routers in one app, in-process clients, one model."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from services.core.analysis import TextAnalysis
from services.core.app import Shutdown, add_readiness_check, create_service_app
from services.core.settings import Settings, get_settings
from services.generator.api import router as generator_router
from services.generator.llm import select_backend
from services.generator.service import GeneratorService
from services.profile.api import router as profile_router
from services.profile.app import start_profile
from services.profile.client import InProcessProfileClient
from services.retrieval.api import router as retrieval_router
from services.retrieval.client import InProcessRetrievalClient
from services.retrieval.service import RetrievalService


def create_app(settings: Settings | None = None, analysis: TextAnalysis | None = None) -> FastAPI:
    """``analysis`` lets a caller share already-loaded models (tests run several servers)."""
    config = settings or get_settings()

    async def startup(app: FastAPI) -> Shutdown:
        models = analysis
        if models is None:
            models = await asyncio.to_thread(TextAnalysis.from_settings, config)
        runtime = await start_profile(config, models)
        profiles = InProcessProfileClient(runtime.service)
        retrieval = RetrievalService(models, profiles)
        app.state.profile_service = runtime.service
        app.state.retrieval_service = retrieval
        app.state.generator_service = GeneratorService(
            profiles, InProcessRetrievalClient(retrieval), select_backend(config)
        )
        add_readiness_check(app, lambda: run_in_threadpool(runtime.store.ping))

        async def shutdown() -> None:
            runtime.close()
            if analysis is None:  # models the caller passed in are the caller's to close
                models.embedder.close()

        return shutdown

    return create_service_app(
        title="EmoSync",
        service="all-in-one",
        settings=config,
        routers=[profile_router, retrieval_router, generator_router],
        startup=startup,
        description=(
            "Understand what someone else feels through a moment of your own life that felt "
            "the same way. Profile, retrieval and generator services in one process."
        ),
    )
