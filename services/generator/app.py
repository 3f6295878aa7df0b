"""Generator service app: stateless; calls profile and retrieval through their clients."""

from __future__ import annotations

from fastapi import FastAPI

from services.core.app import Shutdown, create_service_app
from services.core.settings import Settings, get_settings
from services.generator.api import router
from services.generator.llm import select_backend
from services.generator.service import GeneratorService
from services.profile.client import HttpProfileClient
from services.retrieval.client import HttpRetrievalClient


def create_app(settings: Settings | None = None) -> FastAPI:
    config = settings or get_settings()
    if not config.profile_url or not config.retrieval_url:
        raise RuntimeError(
            "the generator service needs EMOSYNC_PROFILE_URL and EMOSYNC_RETRIEVAL_URL"
        )
    profile_url, retrieval_url = config.profile_url, config.retrieval_url

    async def startup(app: FastAPI) -> Shutdown:
        timeout = config.service_timeout_seconds
        profiles = HttpProfileClient(profile_url, timeout)
        retrieval = HttpRetrievalClient(retrieval_url, timeout)
        app.state.generator_service = GeneratorService(profiles, retrieval, select_backend(config))

        async def shutdown() -> None:
            await profiles.aclose()
            await retrieval.aclose()

        return shutdown

    return create_service_app(
        title="EmoSync generator service",
        service="generator",
        settings=config,
        routers=[router],
        startup=startup,
        description="Personalized analogies grounded in the user's own memories.",
    )
