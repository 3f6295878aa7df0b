"""Generator service routes: JSON, or Server-Sent Events when streaming is asked for."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse, StreamingResponse

from services.core.auth import CurrentPrincipal
from services.core.errors import APIError
from services.generator.schemas import Analogy, AnalogyRequest
from services.generator.service import GeneratorService

router = APIRouter(prefix="/v1/analogies", tags=["generator"])


def get_generator_service(request: Request) -> GeneratorService:
    service: GeneratorService = request.app.state.generator_service
    return service


Generator = Annotated[GeneratorService, Depends(get_generator_service)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="A personalized analogy grounded in the user's own memories",
    response_model=Analogy,
    responses={
        201: {"content": {"text/event-stream": {}}},
        409: {"description": "The user has no usable experiences yet"},
    },
)
async def create_analogy(
    body: AnalogyRequest, request: Request, principal: CurrentPrincipal, generator: Generator
) -> Response:
    principal.require_user(body.user_id)
    wants_stream = body.stream or "text/event-stream" in request.headers.get("accept", "")
    analogy = await generator.generate(principal, body)
    if not wants_stream:
        return JSONResponse(analogy.model_dump(mode="json"), status_code=status.HTTP_201_CREATED)
    return StreamingResponse(
        _sse(analogy),
        status_code=status.HTTP_201_CREATED,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/{analogy_id}", summary="A stored analogy")
async def get_analogy(
    analogy_id: str,
    principal: CurrentPrincipal,
    generator: Generator,
    user_id: Annotated[str | None, Query(description="Needed with a service key.")] = None,
) -> Analogy:
    owner = user_id or principal.user_id
    if owner is None:
        raise APIError(422, "user_id is required with a service key")
    principal.require_user(owner)
    return await generator.get(principal, owner, analogy_id)


async def _sse(analogy: Analogy) -> AsyncIterator[str]:
    """Text deltas (a few words each), then one `done` event with the full metadata."""
    for piece in re.findall(r"\S+\s*", analogy.analogy):
        yield f"event: delta\ndata: {json.dumps({'text': piece})}\n\n"
    yield f"event: done\ndata: {analogy.model_dump_json()}\n\n"
