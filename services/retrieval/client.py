"""How other services reach the retrieval service: over HTTP when split, in-process otherwise."""

from __future__ import annotations

from typing import Protocol

from services.core.auth import Principal
from services.core.service_client import ServiceHttpClient
from services.retrieval.schemas import RetrieveRequest, RetrieveResponse
from services.retrieval.service import RetrievalService


class RetrievalClient(Protocol):
    async def retrieve(
        self, principal: Principal, request: RetrieveRequest
    ) -> RetrieveResponse: ...

    async def aclose(self) -> None: ...


class InProcessRetrievalClient:
    def __init__(self, service: RetrievalService) -> None:
        self._service = service

    async def retrieve(self, principal: Principal, request: RetrieveRequest) -> RetrieveResponse:
        principal.require_user(request.user_id)
        principal.require_sensitive_access(request.include_sensitive)
        return await self._service.retrieve(principal, request)

    async def aclose(self) -> None:
        return None


class HttpRetrievalClient:
    def __init__(self, base_url: str, timeout: float) -> None:
        self._http = ServiceHttpClient(base_url, timeout, "retrieval")

    async def retrieve(self, principal: Principal, request: RetrieveRequest) -> RetrieveResponse:
        data = await self._http.request(
            "POST", "/v1/retrieve", principal, request.model_dump(mode="json")
        )
        return RetrieveResponse.model_validate(data)

    async def aclose(self) -> None:
        await self._http.aclose()
