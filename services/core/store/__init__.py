"""The vector store: Qdrant Edge embedded by default, a Qdrant server when a URL is set."""

from __future__ import annotations

from services.core.settings import Settings
from services.core.store.base import (
    CollectionSpec,
    Conditions,
    StoredPoint,
    StoreSchemaError,
    VectorStore,
)

__all__ = [
    "CollectionSpec",
    "Conditions",
    "StoreSchemaError",
    "StoredPoint",
    "VectorStore",
    "open_store",
]


def open_store(settings: Settings) -> VectorStore:
    if settings.qdrant_url:
        from services.core.store.server import ServerStore

        return ServerStore.connect(
            settings.qdrant_url,
            api_key=settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None,
            timeout=settings.qdrant_timeout_seconds,
            prefix=settings.qdrant_collection_prefix,
            shard_number=settings.qdrant_shard_number,
            replication_factor=settings.qdrant_replication_factor,
        )
    from services.core.store.edge import EdgeStore

    return EdgeStore(settings.data_dir / "qdrant")
