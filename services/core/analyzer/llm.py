"""The LLM analyzer: asks an OpenAI-compatible model for the structure, as strict JSON.

Any failure (timeout, HTTP error, invalid JSON twice, wrong names) falls back to the
offline analysis of the same text, marked ``fallback: true`` and counted in metrics.
The similarity vector's latent block always comes from the offline model, so stored
vectors stay comparable whichever analyzer produced the structure.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from string import Template

import numpy as np
from openai import APIError, APITimeoutError, AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, ValidationError, field_validator

from services.core.analyzer.labels import APPRAISAL_DIMENSIONS, EMOTIONS, THEMES
from services.core.analyzer.offline import Analysis, valence_arousal
from services.core.analyzer.structure import AnalyzerInfo, EmotionalStructure, ThemeScore
from services.core.observability import (
    ANALYZER_FALLBACKS,
    ANALYZER_LATENCY,
    LLM_ERRORS,
    LLM_LATENCY,
    LLM_TOKENS,
)
from services.core.settings import Settings

PROMPT_VERSION = "analyze-v1"
_PROMPT_PATH = Path(__file__).with_name("prompts") / f"{PROMPT_VERSION}.txt"
_PURPOSE = "analyze"


class LLMStructure(BaseModel):
    emotions: dict[str, float]
    appraisal: dict[str, float]
    theme: str

    @field_validator("emotions")
    @classmethod
    def _known_emotions(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - set(EMOTIONS)
        if unknown or not value:
            raise ValueError(f"unknown or missing emotions: {sorted(unknown)}")
        if any(not 0 <= v <= 1 for v in value.values()):
            raise ValueError("emotion strengths must be in [0, 1]")
        return value

    @field_validator("appraisal")
    @classmethod
    def _all_dimensions(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != set(APPRAISAL_DIMENSIONS):
            raise ValueError("appraisal must hold exactly the known dimensions")
        if any(not 0 <= v <= 1 for v in value.values()):
            raise ValueError("appraisal scores must be in [0, 1]")
        return value

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, value: str) -> str:
        if value not in THEMES:
            raise ValueError(f"unknown theme {value!r}")
        return value


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LLMAnalyzer:
    name = "llm"

    def __init__(
        self,
        client: AsyncOpenAI,
        model: str,
        *,
        max_tokens: int,
        concurrency: int = 4,
    ) -> None:
        self.client = client
        self.model = model
        self.max_tokens = max_tokens
        self.version = f"{PROMPT_VERSION}:{model}"
        self._semaphore = asyncio.Semaphore(concurrency)
        # string.Template ($name), not str.format: the prompt's JSON example has braces.
        self._system = Template(_PROMPT_PATH.read_text(encoding="utf-8")).substitute(
            emotions=", ".join(EMOTIONS),
            dimensions="\n".join(f"  {k}: {v}" for k, v in APPRAISAL_DIMENSIONS.items()),
            themes=", ".join(THEMES),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMAnalyzer:
        if not settings.llm_configured:
            raise RuntimeError(
                "EMOSYNC_ANALYZER=llm needs EMOSYNC_LLM_BASE_URL or EMOSYNC_LLM_API_KEY"
            )
        client = AsyncOpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else "unused",
            timeout=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,  # the client backs off on 429/5xx/timeouts
        )
        return cls(client, settings.llm_model, max_tokens=settings.llm_max_tokens)

    async def refine(self, texts: list[str], analyses: list[Analysis]) -> list[Analysis]:
        return list(
            await asyncio.gather(*(self._one(t, a) for t, a in zip(texts, analyses, strict=True)))
        )

    async def _one(self, text: str, offline: Analysis) -> Analysis:
        started = time.perf_counter()
        try:
            async with self._semaphore:
                parsed = await self._ask(text)
        except _Rejected as rejected:
            ANALYZER_FALLBACKS.labels(rejected.reason).inc()
            info = offline.structure.analyzer.model_copy(update={"fallback": True})
            return Analysis(
                offline.structure.model_copy(update={"analyzer": info}),
                offline.theme_probabilities,
                offline.latent,
            )
        finally:
            ANALYZER_LATENCY.labels(self.name).observe(time.perf_counter() - started)
        return self._to_analysis(parsed, offline)

    async def _ask(self, text: str) -> LLMStructure:
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": self._system},
            {"role": "user", "content": f"<experience>\n{text}\n</experience>"},
        ]
        for attempt in range(2):  # one repair round after an invalid answer
            content = await self._complete(messages)
            try:
                return LLMStructure.model_validate_json(content)
            except ValidationError as exc:
                LLM_ERRORS.labels(_PURPOSE, "invalid_json").inc()
                if attempt == 1:
                    raise _Rejected("invalid_answer") from exc
                messages += [
                    {"role": "assistant", "content": content},
                    {
                        "role": "user",
                        "content": "That answer was not valid: "
                        f"{exc.errors()[0]['msg']}. Answer again with only the JSON object.",
                    },
                ]
        raise AssertionError("unreachable")

    async def _complete(self, messages: list[ChatCompletionMessageParam]) -> str:
        started = time.perf_counter()
        try:
            response = await self.client.chat.completions.create(
                model=self.model,
                messages=messages,
                max_tokens=self.max_tokens,
                temperature=0,
                response_format={"type": "json_object"},
            )
        except APITimeoutError as exc:
            LLM_ERRORS.labels(_PURPOSE, "timeout").inc()
            LLM_LATENCY.labels(_PURPOSE, "error").observe(time.perf_counter() - started)
            raise _Rejected("timeout") from exc
        except APIError as exc:
            LLM_ERRORS.labels(_PURPOSE, "api_error").inc()
            LLM_LATENCY.labels(_PURPOSE, "error").observe(time.perf_counter() - started)
            raise _Rejected("api_error") from exc
        LLM_LATENCY.labels(_PURPOSE, "ok").observe(time.perf_counter() - started)
        if response.usage is not None:
            LLM_TOKENS.labels(_PURPOSE, "prompt").inc(response.usage.prompt_tokens)
            LLM_TOKENS.labels(_PURPOSE, "completion").inc(response.usage.completion_tokens)
        return response.choices[0].message.content or ""

    def _to_analysis(self, parsed: LLMStructure, offline: Analysis) -> Analysis:
        total = sum(parsed.emotions.values()) or 1.0
        emotions = {e: round(parsed.emotions.get(e, 0.0) / total, 4) for e in EMOTIONS}
        theme_probabilities = np.zeros(len(THEMES), dtype=np.float32)
        theme_probabilities[list(THEMES).index(parsed.theme)] = 1.0
        valence, arousal = valence_arousal(
            np.array([[emotions[e] for e in EMOTIONS]]),
            np.array([parsed.appraisal["pleasantness"]]),
            np.array([parsed.appraisal["intensity"]]),
        )
        structure = EmotionalStructure(
            emotions=emotions,
            appraisal={k: round(float(v), 4) for k, v in parsed.appraisal.items()},
            valence=round(float(valence[0]), 4),
            arousal=round(float(arousal[0]), 4),
            theme=ThemeScore(name=parsed.theme, score=1.0),
            analyzer=AnalyzerInfo(name=self.name, version=self.version),
        )
        return Analysis(structure, theme_probabilities, offline.latent)
