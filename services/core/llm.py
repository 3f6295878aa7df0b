"""Calls to an OpenAI-compatible chat endpoint, shared by the LLM analyzer and generator.

The `openai` client retries timeouts, 429 and 5xx with exponential backoff (honouring
Retry-After) up to ``EMOSYNC_LLM_MAX_RETRIES``; on top of that a circuit breaker stops
calling an endpoint that keeps failing, so requests fall back at once instead of waiting
out every timeout. Every call records latency, tokens and errors by purpose.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from openai import APIError, APITimeoutError, AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam

from services.core.observability import LLM_ERRORS, LLM_LATENCY, LLM_TOKENS
from services.core.settings import Settings


class LLMUnavailable(Exception):
    """The endpoint failed after the client's retries, or the circuit is open."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; lets one call through after ``cooldown``."""

    def __init__(self, threshold: int = 5, cooldown_seconds: float = 30.0) -> None:
        self.threshold = threshold
        self.cooldown_seconds = cooldown_seconds
        self._failures = 0
        self._opened_at: float | None = None

    def allow(self) -> bool:
        if self._opened_at is None:
            return True
        return time.monotonic() - self._opened_at >= self.cooldown_seconds  # half-open probe

    def record(self, success: bool) -> None:
        if success:
            self._failures, self._opened_at = 0, None
            return
        self._failures += 1
        if self._failures >= self.threshold:
            self._opened_at = time.monotonic()


@dataclass(frozen=True)
class Completion:
    content: str
    prompt_tokens: int
    completion_tokens: int


class ChatModel:
    def __init__(
        self, client: AsyncOpenAI, model: str, *, max_tokens: int, temperature: float
    ) -> None:
        self.client = client
        self.model = model
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.breaker = CircuitBreaker()

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatModel:
        if not settings.llm_configured:
            raise RuntimeError("no LLM configured: set EMOSYNC_LLM_BASE_URL or EMOSYNC_LLM_API_KEY")
        client = AsyncOpenAI(
            base_url=settings.llm_base_url,
            # Local servers (vLLM, Ollama, llama.cpp) take any key; the client needs one.
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else "unused",
            timeout=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,
        )
        return cls(
            client,
            settings.llm_model,
            max_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
        )

    async def complete_json(
        self,
        messages: list[ChatCompletionMessageParam],
        *,
        purpose: str,
        temperature: float | None = None,
        stream: bool = False,
    ) -> Completion:
        """One chat completion asking for a JSON object; raises LLMUnavailable on failure."""
        if not self.breaker.allow():
            LLM_ERRORS.labels(purpose, "circuit_open").inc()
            raise LLMUnavailable("circuit_open")
        started = time.perf_counter()
        try:
            completion = await (self._streamed if stream else self._single)(
                messages, temperature if temperature is not None else self.temperature
            )
        except (APITimeoutError, APIError) as exc:
            reason = "timeout" if isinstance(exc, APITimeoutError) else "api_error"
            self.breaker.record(success=False)
            LLM_ERRORS.labels(purpose, reason).inc()
            LLM_LATENCY.labels(purpose, "error").observe(time.perf_counter() - started)
            raise LLMUnavailable(reason) from exc
        self.breaker.record(success=True)
        LLM_LATENCY.labels(purpose, "ok").observe(time.perf_counter() - started)
        LLM_TOKENS.labels(purpose, "prompt").inc(completion.prompt_tokens)
        LLM_TOKENS.labels(purpose, "completion").inc(completion.completion_tokens)
        return completion

    async def _single(
        self, messages: list[ChatCompletionMessageParam], temperature: float
    ) -> Completion:
        response = await self.client.chat.completions.create(
            model=self.model,
            messages=messages,
            max_tokens=self.max_tokens,
            temperature=temperature,
            response_format={"type": "json_object"},
        )
        usage = response.usage
        return Completion(
            response.choices[0].message.content or "",
            usage.prompt_tokens if usage else 0,
            usage.completion_tokens if usage else 0,
        )

    async def _streamed(
        self, messages: list[ChatCompletionMessageParam], temperature: float
    ) -> Completion:
        stream = await self.client.chat.completions.create(
            model=self.model,
            messages=messages,
            max_tokens=self.max_tokens,
            temperature=temperature,
            response_format={"type": "json_object"},
            stream=True,
            stream_options={"include_usage": True},
        )
        parts: list[str] = []
        prompt_tokens = completion_tokens = 0
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
            if chunk.usage is not None:
                prompt_tokens = chunk.usage.prompt_tokens
                completion_tokens = chunk.usage.completion_tokens
        return Completion("".join(parts), prompt_tokens, completion_tokens)
