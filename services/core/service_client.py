"""HTTP plumbing for one service calling another on the caller's behalf.

The caller's credential and the request id are passed along, so the called service
applies the same scoping and its log lines join the same request.
"""

from __future__ import annotations

from typing import Any

import httpx

from services.core.auth import Principal
from services.core.errors import APIError
from services.core.observability import REQUEST_ID_HEADER, request_id_var


class ServiceHttpClient:
    def __init__(self, base_url: str, timeout: float, name: str) -> None:
        self.name = name
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)

    async def request(self, method: str, path: str, principal: Principal, json: Any = None) -> Any:
        headers = {REQUEST_ID_HEADER: request_id_var.get()}
        if principal.credential:
            headers["Authorization"] = f"Bearer {principal.credential}"
        try:
            response = await self._client.request(method, path, json=json, headers=headers)
        except httpx.TimeoutException as exc:
            raise APIError(504, f"the {self.name} service did not answer in time") from exc
        except httpx.TransportError as exc:
            raise APIError(
                503,
                f"the {self.name} service is unreachable",
                details={"reason": type(exc).__name__},
                headers={"Retry-After": "5"},
            ) from exc
        if response.status_code >= 400:
            raise _error_from(response, self.name)
        return response.json() if response.content else None

    async def aclose(self) -> None:
        await self._client.aclose()


def _error_from(response: httpx.Response, service: str) -> APIError:
    """Pass client errors through unchanged; report the callee's own failures as 502."""
    try:
        error = response.json()["error"]
        code, message, details = error["code"], error["message"], error.get("details")
    except (ValueError, KeyError, TypeError):
        code, message, details = None, response.text[:200], None
    if response.status_code == 503:
        headers = {"Retry-After": response.headers.get("Retry-After", "5")}
        return APIError(503, message, code=code, details=details, headers=headers)
    if response.status_code >= 500:
        return APIError(
            502, f"the {service} service failed", details={"status": response.status_code}
        )
    return APIError(response.status_code, message, code=code, details=details)
