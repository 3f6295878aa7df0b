"""Retrieval service routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.core.analyzer.structure import EmotionalStructure
from services.core.auth import CurrentPrincipal
from services.retrieval.schemas import AnalyzeRequest, RetrieveRequest, RetrieveResponse
from services.retrieval.service import RetrievalService

router = APIRouter(prefix="/v1", tags=["retrieval"])


def get_retrieval_service(request: Request) -> RetrievalService:
    service: RetrievalService = request.app.state.retrieval_service
    return service


Retrieval = Annotated[RetrievalService, Depends(get_retrieval_service)]


@router.post(
    "/retrieve",
    summary="The user's experiences closest in emotional structure to another person's",
)
async def retrieve(
    body: RetrieveRequest, principal: CurrentPrincipal, retrieval: Retrieval
) -> RetrieveResponse:
    principal.require_user(body.user_id)
    principal.require_sensitive_access(body.include_sensitive)
    return await retrieval.retrieve(principal, body)


@router.post("/analyze", summary="The emotional structure of a text")
async def analyze(
    body: AnalyzeRequest, _: CurrentPrincipal, retrieval: Retrieval
) -> EmotionalStructure:
    return await retrieval.analyze(body.text)
