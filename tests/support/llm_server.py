"""An OpenAI-wire-format chat server on loopback, scripted per test.

The real `openai` client talks to it over HTTP, so retries, timeouts and parsing are
exercised for real; only the model's answers are scripted.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse


@dataclass
class Reply:
    content: str
    prompt_tokens: int = 50
    completion_tokens: int = 20


@dataclass
class Status:
    code: int
    retry_after: str | None = None


@dataclass
class Delay:
    seconds: float
    then: Reply | Status = field(default_factory=lambda: Status(500))


Behaviour = Reply | Status | Delay


class ScriptedLLM:
    def __init__(self) -> None:
        self.script: deque[Behaviour] = deque()
        self.default: Behaviour = Status(500)
        self.requests: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self._chat)

    def then(self, *behaviours: Behaviour) -> ScriptedLLM:
        self.script.extend(behaviours)
        return self

    def reset(self) -> None:
        self.script.clear()
        self.requests.clear()

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        behaviour = self.script.popleft() if self.script else self.default
        if isinstance(behaviour, Delay):
            await asyncio.sleep(behaviour.seconds)
            behaviour = behaviour.then
        if isinstance(behaviour, Status):
            headers = {"retry-after": behaviour.retry_after} if behaviour.retry_after else {}
            return JSONResponse(
                {"error": {"message": f"scripted {behaviour.code}", "type": "server_error"}},
                status_code=behaviour.code,
                headers=headers,
            )
        if body.get("stream"):
            return StreamingResponse(self._stream(body, behaviour), media_type="text/event-stream")
        return JSONResponse(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "test"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": behaviour.content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": behaviour.prompt_tokens,
                    "completion_tokens": behaviour.completion_tokens,
                    "total_tokens": behaviour.prompt_tokens + behaviour.completion_tokens,
                },
            }
        )

    async def _stream(self, body: dict[str, Any], reply: Reply) -> Any:
        pieces = [reply.content[i : i + 12] for i in range(0, len(reply.content), 12)]
        for piece in pieces:
            chunk = {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body.get("model", "test"),
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
            yield f"data: {json.dumps(chunk)}\n\n"
        done = {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "test"),
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
            },
        }
        yield f"data: {json.dumps(done)}\n\n"
        yield "data: [DONE]\n\n"
