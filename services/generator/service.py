"""Analogy generation: profile + retrieval -> draft -> validation -> store -> answer."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from services.core.auth import Principal
from services.core.errors import APIError
from services.core.llm import LLMUnavailable
from services.core.observability import ANALOGIES_GENERATED, GENERATOR_FALLBACKS, LLM_ERRORS
from services.generator.composer import (
    MAX_WORDS,
    MemoryForComposer,
    Persona,
    SharedAppraisal,
    TargetForComposer,
    compose,
)
from services.generator.schemas import (
    Analogy,
    AnalogyRequest,
    GeneratorInfo,
    GroundedIn,
)
from services.profile.client import ProfileClient
from services.profile.schemas import User
from services.retrieval.client import RetrievalClient
from services.retrieval.schemas import Match, RetrieveRequest, RetrieveResponse

logger = logging.getLogger("emosync.generator")


@dataclass(frozen=True)
class Draft:
    analogy: str
    bridge: str
    used_experience_ids: tuple[str, ...]


@dataclass(frozen=True)
class GenerationContext:
    request: AnalogyRequest
    retrieval: RetrieveResponse
    memories: tuple[Match, ...]  # usable (never sensitive), best first
    persona: Persona


class AnalogyBackend(Protocol):
    name: str
    model: str
    prompt_version: str

    async def draft(self, context: GenerationContext) -> Draft: ...


class ComposerBackend:
    """The offline default: a deterministic composer grounded in the retrieved memories."""

    name = "composer"
    model = "grounded-composer"
    prompt_version = "composer-1"

    async def draft(self, context: GenerationContext) -> Draft:
        request = context.request
        structure = context.retrieval.target_structure
        composition = compose(
            TargetForComposer(
                text=request.target.text,
                who=request.target.who,
                theme=structure.theme.name,
                dominant_emotions=tuple(structure.top_emotions(3, minimum=0.05)),
            ),
            [_memory_for_composer(m) for m in context.memories],
            context.persona,
            length=request.style.length,
            tone=request.style.tone,
        )
        return Draft(composition.analogy, composition.bridge, composition.used_experience_ids)


class GeneratorService:
    def __init__(
        self,
        profiles: ProfileClient,
        retrieval: RetrievalClient,
        backend: AnalogyBackend | None = None,
    ) -> None:
        self.profiles = profiles
        self.retrieval = retrieval
        self.composer = ComposerBackend()
        self.backend: AnalogyBackend = backend or self.composer

    async def generate(self, principal: Principal, request: AnalogyRequest) -> Analogy:
        started = time.perf_counter()
        user = await self.profiles.get_user(principal, request.user_id)
        retrieved = await self.retrieval.retrieve(
            principal,
            RetrieveRequest(
                user_id=request.user_id,
                target=request.target,
                k=request.k,
                include_sensitive=False,
            ),
        )
        memories = tuple(m for m in retrieved.matches if not m.sensitive)
        if not memories:
            raise APIError(
                409,
                "this user has no usable experiences yet: add a few narrated experiences "
                "(POST /v1/users/{user_id}/experiences) before asking for an analogy",
                code="experiences_needed",
                details={"total_experiences": retrieved.total_experiences},
            )
        context = GenerationContext(request, retrieved, memories, persona_of(user))
        draft, info = await self._draft(context)
        used = [m for m in memories if m.experience_id in draft.used_experience_ids]
        analogy = Analogy(
            analogy_id=str(uuid.uuid4()),
            user_id=request.user_id,
            analogy=draft.analogy,
            bridge=draft.bridge,
            grounded_in=[
                GroundedIn(experience_id=m.experience_id, excerpt=_excerpt(m.text)) for m in used
            ],
            target_structure=retrieved.target_structure,
            shared=used[0].shared,
            generator=info,
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        await self.profiles.save_analogy(
            principal, request.user_id, analogy.model_dump(mode="json")
        )
        ANALOGIES_GENERATED.labels(info.backend).inc()
        return analogy

    async def _draft(self, context: GenerationContext) -> tuple[Draft, GeneratorInfo]:
        """The configured backend's draft, validated; a rejected draft is regenerated once,
        then (or at once when the LLM is unreachable) the composer answers as a fallback."""
        memories, length = context.memories, context.request.style.length
        fallback = self.backend is not self.composer
        if fallback:
            reason = "invalid_draft"
            for _ in range(2):
                try:
                    draft = await self.backend.draft(context)
                    validate_draft(draft, memories, length)
                    return draft, _info(self.backend)
                except DraftRejected as rejected:
                    LLM_ERRORS.labels("generate", "draft_rejected").inc()
                    logger.warning("analogy draft rejected: %s", rejected)
                except LLMUnavailable as unavailable:
                    reason = unavailable.reason
                    break
            GENERATOR_FALLBACKS.labels(reason).inc()
        draft = await self.composer.draft(context)
        validate_draft(draft, memories, length)
        return draft, _info(self.composer, fallback=fallback)

    async def get(self, principal: Principal, user_id: str, analogy_id: str) -> Analogy:
        record = await self.profiles.get_analogy(principal, user_id, analogy_id)
        return Analogy.model_validate(record.content)


class DraftRejected(ValueError):
    """A draft broke a grounding rule; the reason names which."""


def validate_draft(draft: Draft, memories: Sequence[Match], length: str) -> None:
    retrieved = {m.experience_id for m in memories}
    if not draft.used_experience_ids:
        raise DraftRejected("cites no memory")
    unknown = set(draft.used_experience_ids) - retrieved
    if unknown:
        raise DraftRejected(f"cites memories that were not retrieved: {sorted(unknown)}")
    if len(draft.analogy.split()) > MAX_WORDS[length]:
        raise DraftRejected(f"longer than {MAX_WORDS[length]} words")
    if not draft.analogy.strip() or not draft.bridge.strip():
        raise DraftRejected("empty analogy or bridge")


def _info(backend: AnalogyBackend, fallback: bool = False) -> GeneratorInfo:
    return GeneratorInfo(
        backend=backend.name,
        model=backend.model,
        prompt_version=backend.prompt_version,
        fallback=fallback,
    )


def persona_of(user: User) -> Persona:
    traits = user.personality
    return Persona(
        openness=traits.openness,
        conscientiousness=traits.conscientiousness,
        extraversion=traits.extraversion,
        agreeableness=traits.agreeableness,
        neuroticism=traits.neuroticism,
        values={value.value: weight for value, weight in user.values.items()},
    )


def _memory_for_composer(match: Match) -> MemoryForComposer:
    return MemoryForComposer(
        experience_id=match.experience_id,
        text=match.text,
        title=match.title,
        shared_emotions=tuple(match.shared.emotions),
        shared_appraisal=tuple(
            SharedAppraisal(name=a.name, target=a.target, memory=a.memory)
            for a in match.shared.appraisal
        ),
        theme=match.theme,
    )


def _excerpt(text: str, limit: int = 160) -> str:
    if len(text) <= limit:
        return text
    return text[: text.rfind(" ", 0, limit)].rstrip(",;:") + "…"
