"""How other services reach the profile service: over HTTP when split, in-process otherwise."""

from __future__ import annotations

from typing import Any, Protocol

from services.core.auth import Principal
from services.core.service_client import ServiceHttpClient
from services.profile.schemas import AnalogyRecord, SearchRequest, SearchResult, User
from services.profile.service import ProfileService


class ProfileClient(Protocol):
    async def get_user(self, principal: Principal, user_id: str) -> User: ...

    async def search(
        self, principal: Principal, user_id: str, request: SearchRequest
    ) -> SearchResult: ...

    async def save_analogy(
        self, principal: Principal, user_id: str, content: dict[str, Any]
    ) -> AnalogyRecord: ...

    async def get_analogy(
        self, principal: Principal, user_id: str, analogy_id: str
    ) -> AnalogyRecord: ...

    async def aclose(self) -> None: ...


class InProcessProfileClient:
    """Calls the service object directly, with the same scoping as the HTTP routes."""

    def __init__(self, service: ProfileService) -> None:
        self._service = service

    async def get_user(self, principal: Principal, user_id: str) -> User:
        principal.require_user(user_id)
        return await self._service.get_user(user_id)

    async def search(
        self, principal: Principal, user_id: str, request: SearchRequest
    ) -> SearchResult:
        principal.require_user(user_id)
        principal.require_sensitive_access(request.include_sensitive)
        return await self._service.search(user_id, request)

    async def save_analogy(
        self, principal: Principal, user_id: str, content: dict[str, Any]
    ) -> AnalogyRecord:
        principal.require_user(user_id)
        return await self._service.save_analogy(user_id, content)

    async def get_analogy(
        self, principal: Principal, user_id: str, analogy_id: str
    ) -> AnalogyRecord:
        principal.require_user(user_id)
        return await self._service.get_analogy(user_id, analogy_id)

    async def aclose(self) -> None:
        return None


class HttpProfileClient:
    def __init__(self, base_url: str, timeout: float) -> None:
        self._http = ServiceHttpClient(base_url, timeout, "profile")

    async def get_user(self, principal: Principal, user_id: str) -> User:
        return User.model_validate(
            await self._http.request("GET", f"/v1/users/{user_id}", principal)
        )

    async def search(
        self, principal: Principal, user_id: str, request: SearchRequest
    ) -> SearchResult:
        data = await self._http.request(
            "POST",
            f"/v1/users/{user_id}/experiences:search",
            principal,
            request.model_dump(mode="json"),
        )
        return SearchResult.model_validate(data)

    async def save_analogy(
        self, principal: Principal, user_id: str, content: dict[str, Any]
    ) -> AnalogyRecord:
        data = await self._http.request(
            "POST", f"/v1/users/{user_id}/analogies", principal, content
        )
        return AnalogyRecord.model_validate(data)

    async def get_analogy(
        self, principal: Principal, user_id: str, analogy_id: str
    ) -> AnalogyRecord:
        data = await self._http.request(
            "GET", f"/v1/users/{user_id}/analogies/{analogy_id}", principal
        )
        return AnalogyRecord.model_validate(data)

    async def aclose(self) -> None:
        await self._http.aclose()
