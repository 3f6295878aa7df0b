"""Prometheus metrics, JSON logs and the request id that travels between services."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.errors import error_body

REQUEST_ID_HEADER = "X-Request-ID"
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "emosync_http_requests_total",
    "HTTP requests answered, by service, method, route template and status code.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "emosync_http_request_duration_seconds",
    "Time to answer an HTTP request, by service, method, route template and status code.",
    ["service", "method", "route", "status"],
    buckets=_LATENCY_BUCKETS,
)
EMBEDDING_LATENCY = Histogram(
    "emosync_embedding_duration_seconds",
    "Time to embed one batch of texts with the sentence-embedding model.",
    buckets=_LATENCY_BUCKETS,
)
EMBEDDED_TEXTS = Counter("emosync_embedded_texts_total", "Texts embedded.")
ANALYZER_LATENCY = Histogram(
    "emosync_analyzer_duration_seconds",
    "Time to analyze one batch of texts into emotional structures, by analyzer.",
    ["analyzer"],
    buckets=_LATENCY_BUCKETS,
)
ANALYZER_FALLBACKS = Counter(
    "emosync_analyzer_fallbacks_total",
    "LLM analyses that failed and were answered by the offline analyzer, by reason.",
    ["reason"],
)
STORE_LATENCY = Histogram(
    "emosync_store_operation_duration_seconds",
    "Time of one vector-store operation, by backend and operation.",
    ["backend", "operation"],
    buckets=_LATENCY_BUCKETS,
)
STORE_ERRORS = Counter(
    "emosync_store_errors_total",
    "Vector-store operations that failed, by backend and operation.",
    ["backend", "operation"],
)
EXPERIENCES_WRITTEN = Counter(
    "emosync_experiences_written_total",
    "Experiences created, updated or deleted, by operation.",
    ["operation"],
)
LLM_LATENCY = Histogram(
    "emosync_llm_request_duration_seconds",
    "Time of one LLM call, by purpose (analyze or generate) and outcome.",
    ["purpose", "outcome"],
    buckets=_LATENCY_BUCKETS,
)
LLM_TOKENS = Counter(
    "emosync_llm_tokens_total",
    "Tokens reported by the LLM, by purpose and kind (prompt or completion).",
    ["purpose", "kind"],
)
LLM_ERRORS = Counter(
    "emosync_llm_errors_total",
    "Failed LLM calls, by purpose and reason.",
    ["purpose", "reason"],
)
GENERATOR_FALLBACKS = Counter(
    "emosync_generator_fallbacks_total",
    "Analogies answered by the offline composer because the LLM answer failed, by reason.",
    ["reason"],
)
ANALOGIES_GENERATED = Counter(
    "emosync_analogies_generated_total",
    "Analogies generated, by backend.",
    ["backend"],
)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line; carries the current request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        # Fields given at the call (the access line carries its own request id, so it
        # stays right even when the record is formatted elsewhere).
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log would print raw paths without a request id; ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True


class ObservabilityMiddleware:
    """Request id, body-size limit, request metrics and one access-log line per request.

    Written as plain ASGI (not BaseHTTPMiddleware) so that streamed responses pass
    through untouched and the overhead stays in microseconds.
    """

    def __init__(self, app: ASGIApp, *, service: str, max_body_bytes: int) -> None:
        self.app = app
        self.service = service
        self.max_body_bytes = max_body_bytes
        self.logger = logging.getLogger("emosync.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = _clean_request_id(headers.get(REQUEST_ID_HEADER.lower())) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            declared = headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
                await self._reject_too_large(send_with_request_id)
            else:
                await self.app(scope, self._limited(receive), send_with_request_id)
        except _BodyTooLarge:
            await self._reject_too_large(send_with_request_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            status = str(status_holder["status"])
            labels = (self.service, scope["method"], template, status)
            HTTP_REQUESTS.labels(*labels).inc()
            HTTP_LATENCY.labels(*labels).observe(elapsed)
            if template not in ("/metrics", "/healthz", "/readyz"):
                self.logger.info(
                    "request",
                    extra={
                        "fields": {
                            "service": self.service,
                            "method": scope["method"],
                            "route": template,
                            "status": int(status),
                            "duration_ms": round(elapsed * 1000, 2),
                            "request_id": request_id,
                        }
                    },
                )
            request_id_var.reset(token)

    def _limited(self, receive: Receive) -> Receive:
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        return limited_receive

    async def _reject_too_large(self, send: Send) -> None:
        body = json.dumps(
            error_body(413, f"request body larger than {self.max_body_bytes} bytes")
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


def _clean_request_id(value: str | None) -> str | None:
    """Accept a caller's request id only if it is short and printable (it goes into logs)."""
    if value and len(value) <= 128 and value.isprintable() and " " not in value:
        return value
    return None
