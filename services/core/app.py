"""What every EmoSync FastAPI app shares: errors, auth, metrics, logs, health endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.core.auth import Authenticator
from services.core.errors import error_body, install_error_handlers
from services.core.observability import ObservabilityMiddleware
from services.core.settings import Settings

ReadinessCheck = Callable[[], Awaitable[None]]
Shutdown = Callable[[], Awaitable[None]]
# Loads what the service needs onto app.state and answers how to release it.
Startup = Callable[[FastAPI], Awaitable[Shutdown]]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {
        "description": description,
        "content": {"application/json": {"example": error_body(code, description)}},
    }
    for code, description in (
        (401, "Missing or invalid credential"),
        (404, "Unknown id, or an id of another user"),
        (413, "Request body too large"),
        (422, "Invalid input"),
        (503, "Store unavailable; retry after the Retry-After header"),
    )
}


def create_service_app(
    *,
    title: str,
    service: str,
    settings: Settings,
    routers: Sequence[APIRouter],
    startup: Startup,
    description: str = "",
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        shutdown = await startup(app)
        app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = False
            await shutdown()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.authenticator = Authenticator(settings)
    app.state.readiness_checks = []
    install_error_handlers(app)
    app.add_middleware(
        ObservabilityMiddleware, service=service, max_body_bytes=settings.max_body_bytes
    )
    for router in routers:
        app.include_router(router)
    app.include_router(_operations_router())
    return app


def add_readiness_check(app: FastAPI, check: ReadinessCheck) -> None:
    app.state.readiness_checks.append(check)


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: models loaded and the store reachable")
    async def readyz(request: Request) -> Response:
        checks: list[ReadinessCheck] = getattr(request.app.state, "readiness_checks", [])
        if not getattr(request.app.state, "ready", False):
            return JSONResponse(error_body(503, "starting"), status_code=503)
        for check in checks:
            try:
                await check()
            except Exception as exc:
                return JSONResponse(
                    error_body(503, "not ready", details={"reason": type(exc).__name__}),
                    status_code=503,
                    headers={"Retry-After": "5"},
                )
        return JSONResponse({"status": "ready"})

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
