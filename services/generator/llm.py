"""The LLM backend: any OpenAI-compatible model writes the analogy as strict JSON."""

from __future__ import annotations

import json
from pathlib import Path
from string import Template

from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, Field, ValidationError

from services.core.llm import ChatModel
from services.core.settings import Settings
from services.generator.composer import MAX_WORDS, Persona, derive_tone
from services.generator.service import Draft, DraftRejected, GenerationContext

PROMPT_VERSION = "analogy-v1"
_PROMPT = Template((Path(__file__).with_name("prompts") / f"{PROMPT_VERSION}.txt").read_text())


class LLMAnswer(BaseModel):
    analogy: str = Field(min_length=1)
    bridge: str = Field(min_length=1)
    memory_ids: list[str] = Field(min_length=1)


class LLMBackend:
    name = "llm"
    prompt_version = PROMPT_VERSION

    def __init__(self, chat: ChatModel) -> None:
        self.chat = chat
        self.model = chat.model

    async def draft(self, context: GenerationContext) -> Draft:
        """Raises DraftRejected for an unusable answer, LLMUnavailable for a failed call."""
        answer = await self.chat.complete_json(
            self._messages(context), purpose="generate", stream=context.request.stream
        )
        try:
            parsed = LLMAnswer.model_validate_json(answer.content)
        except ValidationError as exc:
            raise DraftRejected("the model's answer is not the expected JSON") from exc
        return Draft(parsed.analogy.strip(), parsed.bridge.strip(), tuple(parsed.memory_ids))

    def _messages(self, context: GenerationContext) -> list[ChatCompletionMessageParam]:
        request = context.request
        tone = request.style.tone or derive_tone(context.persona)
        system = _PROMPT.substitute(
            length_words=MAX_WORDS[request.style.length],
            tone=tone,
            persona=_persona_hint(context.persona),
        )
        data = {
            "other_person": {"who": request.target.who, "situation": request.target.text},
            "memories": [
                {
                    "id": m.experience_id,
                    "text": m.text,
                    "shared_emotions": m.shared.emotions,
                    "shared_appraisal": [a.name for a in m.shared.appraisal],
                }
                for m in context.memories
            ],
        }
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": f"<data>\n{json.dumps(data, ensure_ascii=False)}\n</data>"},
        ]


def _persona_hint(persona: Persona) -> str:
    top = max(persona.values.items(), key=lambda kv: kv[1], default=None)
    if top is None or top[1] < 0.6:
        return ""
    return f"The user cares most about {top[0].replace('_', ' ')}; you may frame it that way."


def select_backend(settings: Settings) -> LLMBackend | None:
    """Setting an LLM base URL or key selects the LLM; None means the offline composer."""
    return LLMBackend(ChatModel.from_settings(settings)) if settings.llm_configured else None
