"""The offline analyzer: small heads on the frozen embedding model's layers, numpy at run time.

Weights are trained by ``scripts/train_analyzer.py`` on the project's own narrative corpus
(``data/narratives/``) and shipped in ``weights/offline.safetensors`` (see MODEL_CARD.md).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

from services.core.analyzer.labels import (
    APPRAISAL_DIMENSIONS,
    EMOTION_FAMILIES,
    EMOTIONS,
    FAMILIES,
    THEMES,
)
from services.core.analyzer.lexicon import Lexicon, SparseRow, linear
from services.core.analyzer.structure import (
    EMOTION_VALENCE_AROUSAL,
    AnalyzerInfo,
    EmotionalStructure,
    ThemeScore,
)
from services.core.observability import ANALYZER_LATENCY

WEIGHTS_PATH = Path(__file__).with_name("weights") / "offline.safetensors"

_APPRAISAL_NAMES = tuple(APPRAISAL_DIMENSIONS)
_THEME_NAMES = tuple(THEMES)
_VALENCE = np.array([EMOTION_VALENCE_AROUSAL[e][0] for e in EMOTIONS], dtype=np.float32)
_AROUSAL = np.array([EMOTION_VALENCE_AROUSAL[e][1] for e in EMOTIONS], dtype=np.float32)
# The seven basic families plus "other" (surprise, confusion, curiosity, realization,
# neutral); FAMILY_SUMS maps the 28 emotion probabilities to the 8 family probabilities.
VECTOR_FAMILIES: tuple[str, ...] = (*FAMILIES, "other")
FAMILY_SUMS = np.array(
    [[EMOTION_FAMILIES[e] == family for family in VECTOR_FAMILIES] for e in EMOTIONS],
    dtype=np.float32,
)


@dataclass(frozen=True)
class VectorWeights:
    """Relative weight of each block of the ``emotion`` vector (see docs/ANALYZER.md)."""

    emotions: float
    appraisal: float
    theme: float
    latent: float
    families: float

    def as_dict(self) -> dict[str, float]:
        return {
            "emotions": self.emotions,
            "appraisal": self.appraisal,
            "theme": self.theme,
            "latent": self.latent,
            "families": self.families,
        }


@dataclass
class Analysis:
    """One text's structure plus what the similarity vector is built from."""

    structure: EmotionalStructure
    theme_probabilities: np.ndarray
    latent: np.ndarray


class OfflineAnalyzer:
    name = "offline"

    def __init__(self, weights_path: Path = WEIGHTS_PATH) -> None:
        tensors = load_file(str(weights_path))
        self._w1 = tensors["hidden.weight"]
        self._b1 = tensors["hidden.bias"]
        self._we = tensors["emotions.weight"]
        self._be = tensors["emotions.bias"]
        self._wa = tensors["appraisal.weight"]
        self._ba = tensors["appraisal.bias"]
        self._wt = tensors["theme.weight"]
        self._bt = tensors["theme.bias"]
        if self._we.shape[1] != len(EMOTIONS) or self._wa.shape[1] != len(_APPRAISAL_NAMES):
            raise RuntimeError(f"{weights_path} does not match the label vocabulary")
        if self._wt.shape[1] != len(_THEME_NAMES):
            raise RuntimeError(f"{weights_path} does not match the theme vocabulary")
        with safe_open(str(weights_path), framework="np") as handle:
            self.metadata: dict[str, str] = handle.metadata() or {}
        # Lexical heads over word n-grams, mixed into the embedding heads' outputs with the
        # shares selected on held-out data at training time.
        self._lexicon = Lexicon(json.loads(self.metadata["vocabulary"]), tensors["lexicon.idf"])
        # Stored as float16 to keep the file small; computed in float32.
        lexical = {k: v.astype(np.float32) for k, v in tensors.items() if k.startswith("lexical.")}
        self._lex_e, self._lex_be = (
            lexical["lexical.emotions.weight"],
            lexical["lexical.emotions.bias"],
        )
        self._lex_a, self._lex_ba = (
            lexical["lexical.appraisal.weight"],
            lexical["lexical.appraisal.bias"],
        )
        self._lex_t, self._lex_bt = lexical["lexical.theme.weight"], lexical["lexical.theme.bias"]
        # Typical outputs on the training rows: the vector measures deviations from them.
        self._emotions_centre = tensors["vector.emotions_centre"]
        self._appraisal_mean = tensors["vector.appraisal_mean"]
        self._appraisal_scale = tensors["vector.appraisal_scale"]
        self._families_centre = tensors["vector.families_centre"]
        self._mix = json.loads(self.metadata["lexical_share"])
        digest = hashlib.sha256(Path(weights_path).read_bytes()).hexdigest()[:12]
        self.version = f"offline-1+{digest}"
        # Which of the embedding model's layers the heads read (0 = input embeddings).
        self.input_layers: tuple[int, ...] = tuple(json.loads(self.metadata["layers"]))
        self.input_size: int = self._w1.shape[0]
        self.latent_size: int = self._w1.shape[1]

    def analyze(self, texts: list[str], layers: np.ndarray) -> list[Analysis]:
        """Analyze a batch: the texts and their mean-pooled layer states, shaped
        (texts, layers, dimension) as ``Embedder.encode_layers`` returns them."""
        started = time.perf_counter()
        layers = np.asarray(layers, dtype=np.float32)
        if layers.ndim != 3 or layers.shape[0] != len(texts):
            raise ValueError(f"expected layer states of shape ({len(texts)}, layers, dimension)")
        x = layer_features(layers, self.input_layers)
        if x.shape[1] != self.input_size:
            raise ValueError(
                f"layer states give {x.shape[1]} features; the heads read {self.input_size}"
            )
        hidden = np.maximum(x @ self._w1 + self._b1, 0.0)
        words = self._lexicon.features(texts)
        emotions = self._mixed_head(
            _softmax(hidden @ self._we + self._be), words, self._lex_e, self._lex_be, "emotions"
        )
        appraisal = self._mixed_head(
            _sigmoid(hidden @ self._wa + self._ba), words, self._lex_a, self._lex_ba, "appraisal"
        )
        themes = self._mixed_head(
            _softmax(hidden @ self._wt + self._bt), words, self._lex_t, self._lex_bt, "theme"
        )
        valence, arousal = valence_arousal(
            emotions,
            appraisal[:, _APPRAISAL_NAMES.index("pleasantness")],
            appraisal[:, _APPRAISAL_NAMES.index("intensity")],
        )
        info = AnalyzerInfo(name=self.name, version=self.version)
        results = []
        for i in range(x.shape[0]):
            top_theme = int(themes[i].argmax())
            structure = EmotionalStructure(
                emotions=_rounded(EMOTIONS, emotions[i]),
                appraisal=_rounded(_APPRAISAL_NAMES, appraisal[i]),
                valence=round(float(valence[i]), 4),
                arousal=round(float(arousal[i]), 4),
                theme=ThemeScore(
                    name=_THEME_NAMES[top_theme], score=round(float(themes[i, top_theme]), 4)
                ),
                analyzer=info,
            )
            results.append(Analysis(structure, themes[i], hidden[i]))
        ANALYZER_LATENCY.labels(self.name).observe(time.perf_counter() - started)
        return results

    def _mixed_head(
        self,
        from_embedding: np.ndarray,
        words: list[SparseRow],
        weight: np.ndarray,
        bias: np.ndarray,
        head: str,
    ) -> np.ndarray:
        share = self._mix[head]
        if share == 0:  # the lexical head was not selected for this output: skip it
            return from_embedding
        logits = linear(words, weight, bias)
        from_words = _sigmoid(logits) if head == "appraisal" else _softmax(logits)
        return (1.0 - share) * from_embedding + share * from_words

    @property
    def vector_size(self) -> int:
        return (
            len(EMOTIONS)
            + len(_APPRAISAL_NAMES)
            + len(_THEME_NAMES)
            + self.latent_size
            + len(VECTOR_FAMILIES)
        )

    def vector(self, analysis: Analysis, weights: VectorWeights) -> np.ndarray:
        """The fixed-length vector stored as Qdrant's ``emotion`` named vector.

        Five blocks, each L2-normalised and scaled by its weight, so the cosine of two
        vectors is the weighted mean of the blocks' cosines. Emotions enter as square
        roots (Hellinger) minus their typical value, appraisal standardised per dimension
        (so "unusually unfair" and "unusually fair" oppose), theme as square roots, the
        latent layer as is, and the emotion families (anger = anger + annoyance +
        disapproval, ...) like the emotions: "annoyed" and "indignant" are different
        emotions but the same family, which the fine-grained block alone under-rates.
        """
        structure = analysis.structure
        probabilities = np.array([structure.emotions[e] for e in EMOTIONS])
        emotions = np.sqrt(probabilities)
        families = np.sqrt(probabilities @ FAMILY_SUMS)
        appraisal = np.array([structure.appraisal[a] for a in _APPRAISAL_NAMES])
        blocks = (
            (emotions - self._emotions_centre, weights.emotions),
            ((appraisal - self._appraisal_mean) / self._appraisal_scale, weights.appraisal),
            (np.sqrt(analysis.theme_probabilities), weights.theme),
            (analysis.latent, weights.latent),
            (families - self._families_centre, weights.families),
        )
        parts = [_unit(block) * weight for block, weight in blocks]
        return _unit(np.concatenate(parts)).astype(np.float32)


def family_scores(probabilities: np.ndarray) -> np.ndarray:
    """Emotion probabilities (rows over EMOTIONS) summed into the seven basic families
    (columns in FAMILIES order), as evaluations against basic-emotion corpora read them."""
    return probabilities @ FAMILY_SUMS[:, : len(FAMILIES)]


def layer_features(layers: np.ndarray, selected: Sequence[int]) -> np.ndarray:
    """The heads' input: the selected layers' mean states, each L2-normalised, side by side.
    (The last layer alone, normalised, is exactly the sentence embedding.)"""
    chosen = layers[:, list(selected), :]
    norms = np.linalg.norm(chosen, axis=2, keepdims=True)
    chosen = chosen / np.maximum(norms, 1e-12)
    return chosen.reshape(len(layers), -1).astype(np.float32)


def valence_arousal(
    emotions: np.ndarray, pleasantness: np.ndarray, intensity: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Hand-set summary: half the emotions' circumplex position, half the appraisal
    (pleasantness for valence, intensity for arousal). Rows of ``emotions`` sum to 1."""
    valence = np.clip(0.5 * (emotions @ _VALENCE) + 0.5 * (2 * pleasantness - 1), -1, 1)
    arousal = np.clip(0.5 * (emotions @ _AROUSAL) + 0.5 * intensity, 0, 1)
    return valence, arousal


def default_vector_weights(analyzer: OfflineAnalyzer) -> VectorWeights:
    """The block weights selected on held-out data at training time."""
    chosen = json.loads(analyzer.metadata.get("vector_weights", "{}"))
    return VectorWeights(
        emotions=chosen.get("emotions", 1.0),
        appraisal=chosen.get("appraisal", 1.0),
        theme=chosen.get("theme", 0.5),
        latent=chosen.get("latent", 0.5),
        families=chosen.get("families", 0.0),
    )


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 1e-12 else vector


def _rounded(names: tuple[str, ...], values: np.ndarray) -> dict[str, float]:
    return {name: round(float(v), 4) for name, v in zip(names, values, strict=True)}
