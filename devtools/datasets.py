"""Data sets for training and benchmarks: our narrative corpus, GoEmotions, ISEAR.

GoEmotions and ISEAR are read from ``../shared/data/`` and never copied into the repo.
ISEAR is for evaluation only: nothing that ships is trained or tuned on it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from services.core.embedding import Embedder, EncodedTexts

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO / "data" / "narratives"
SHARED_DATA = REPO.parent / "shared" / "data"
CACHE_DIR = REPO / ".cache" / "embeddings"


def require_shared(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        sys.exit(
            f"error: {path} is missing. This script reads the shared data sets from "
            "../shared/data/ next to the repository (see ../shared/README.md); they are "
            "not copied into the repository."
        )
    return path


@dataclass(frozen=True)
class Narrative:
    id: str
    text: str
    domain: str
    style: str
    emotions: dict[str, float]
    appraisal: dict[str, float]
    theme: str
    # Set on derived copies (e.g. a third-person rewrite): the row they come from, which
    # decides their split and counts as their author in retrieval pools.
    source_id: str | None = None
    # "self": the narrator's own experience; "other": someone else's situation, labelled
    # with what that person feels (batch 5, as users describe targets).
    perspective: str = "self"

    @property
    def origin(self) -> str:
        return self.source_id or self.id

    @property
    def primary_emotion(self) -> str:
        return max(self.emotions, key=lambda name: self.emotions[name])

    @property
    def split(self) -> str:
        """Stable 70/15/15 split by id hash: train, dev (model selection), test (report)."""
        bucket = int(hashlib.sha256(self.origin.encode()).hexdigest()[:8], 16) % 100
        return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def load_corpus(directory: Path = CORPUS_DIR) -> list[Narrative]:
    rows = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                rows.append(
                    Narrative(
                        r["id"],
                        r["text"],
                        r["domain"],
                        r["style"],
                        r["emotions"],
                        r["appraisal"],
                        r["theme"],
                        perspective=r.get("perspective", "self"),
                    )
                )
    if not rows:
        sys.exit(f"error: no narratives found in {directory}")
    return rows


def load_goemotions(split: str) -> tuple[list[str], list[list[int]]]:
    path = require_shared(f"goemotions/{split}.tsv")
    texts, labels = [], []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                texts.append(parts[0])
                labels.append([int(x) for x in parts[1].split(",") if x])
    return texts, labels


@dataclass(frozen=True)
class IsearRow:
    respondent: str
    emotion: str
    text: str
    answers: dict[str, int]


ISEAR_APPRAISAL_COLUMNS = (
    "EXPC",
    "PLEA",
    "PLAN",
    "FAIR",
    "MORL",
    "CAUS",
    "COPING",
    "SELF",
    "RELA",
    "INTS",
)
_SKIP = re.compile(r"^\s*(\[|no response|same as|none\b)", re.IGNORECASE)


def load_isear() -> list[IsearRow]:
    """ISEAR's narrations, cleaned as its README says. Evaluation only."""
    import pandas as pd

    path = require_shared("isear/isear.csv")
    frame = pd.read_csv(path, sep="|", quoting=csv.QUOTE_NONE, on_bad_lines="skip", dtype=str)
    rows = []
    for record in frame.to_dict("records"):
        text = str(record.get("SIT") or "").replace("á", " ")
        text = re.sub(r"\s+", " ", text).strip()
        emotion = str(record.get("Field1") or "").strip().lower()
        if not text or text.lower() == "nan" or _SKIP.match(text) or len(text) < 8:
            continue
        if emotion not in ("joy", "fear", "anger", "sadness", "disgust", "shame", "guilt"):
            continue
        answers = {}
        for column in ISEAR_APPRAISAL_COLUMNS:
            try:
                answers[column] = int(float(record.get(column) or 0))
            except ValueError:
                answers[column] = 0
        rows.append(IsearRow(str(record.get("ID")), emotion, text, answers))
    return rows


def cached_encodings(texts: list[str], embedder: Embedder) -> EncodedTexts:
    """Encodes texts once per (model, text list); later runs read ``.cache/embeddings``."""
    key = hashlib.sha256(("\n".join(texts) + str(embedder.model_path)).encode())
    path = CACHE_DIR / f"{key.hexdigest()[:20]}.npz"
    if path.exists():
        with np.load(path) as stored:
            return EncodedTexts(stored["content"], stored["layers"])
    encoded = embedder.encode_layers(texts)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(path, content=encoded.content, layers=encoded.layers)
    return encoded


def with_third_person(rows: list[Narrative]) -> list[Narrative]:
    """The rows plus a third-person copy of each (she/he alternating), same labels."""
    from devtools.augment import third_person

    copies = [
        replace(
            row,
            id=f"{row.id}#3p",
            text=third_person(row.text, ("she", "he")[i % 2]),
            source_id=row.id,
        )
        for i, row in enumerate(rows)
    ]
    return rows + copies
