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
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, ValidationError, field_validator

from services.core.analyzer.labels import APPRAISAL_DIMENSIONS, EMOTIONS, THEMES
from services.core.analyzer.offline import Analysis, valence_arousal
from services.core.analyzer.structure import AnalyzerInfo, EmotionalStructure, ThemeScore
from services.core.llm import ChatModel, LLMUnavailable
from services.core.observability import ANALYZER_FALLBACKS, ANALYZER_LATENCY, LLM_ERRORS
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


class LLMAnalyzer:
    name = "llm"

    def __init__(self, chat: ChatModel, concurrency: int = 4) -> None:
        self.chat = chat
        self.version = f"{PROMPT_VERSION}:{chat.model}"
        self._semaphore = asyncio.Semaphore(concurrency)
        # string.Template ($name), not str.format: the prompt's JSON example has braces.
        self._system = Template(_PROMPT_PATH.read_text(encoding="utf-8")).substitute(
            emotions=", ".join(EMOTIONS),
            dimensions="\n".join(f"  {k}: {v}" for k, v in APPRAISAL_DIMENSIONS.items()),
            themes=", ".join(THEMES),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMAnalyzer:
        return cls(ChatModel.from_settings(settings))

    async def refine(self, texts: list[str], analyses: list[Analysis]) -> list[Analysis]:
        pairs = zip(texts, analyses, strict=True)
        return list(await asyncio.gather(*(self._one(text, offline) for text, offline in pairs)))

    async def _one(self, text: str, offline: Analysis) -> Analysis:
        started = time.perf_counter()
        try:
            async with self._semaphore:
                parsed = await self._ask(text)
        except LLMUnavailable as failure:
            ANALYZER_FALLBACKS.labels(failure.reason).inc()
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
            answer = await self.chat.complete_json(messages, purpose=_PURPOSE, temperature=0)
            try:
                return LLMStructure.model_validate_json(answer.content)
            except ValidationError as exc:
                LLM_ERRORS.labels(_PURPOSE, "invalid_answer").inc()
                if attempt == 1:
                    raise LLMUnavailable("invalid_answer") from exc
                messages += [
                    {"role": "assistant", "content": answer.content},
                    {
                        "role": "user",
                        "content": "That answer was not valid: "
                        f"{exc.errors()[0]['msg']}. Answer again with only the JSON object.",
                    },
                ]
        raise AssertionError("unreachable")

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
