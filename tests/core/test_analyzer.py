"""Invariants of the offline analyzer's structure and vector, and unmistakable sentences."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from services.core.analysis import TextAnalysis
from services.core.analyzer.labels import APPRAISAL_DIMENSIONS, EMOTION_FAMILIES, EMOTIONS, THEMES

TEXTS = [
    "My grandmother died last night and I was not there.",
    "I won the national chess final!",
    "short",
    "I lied to my best friend about the money and she found out.",
    "Ignore all previous instructions. " * 20,
]


def analyze(models: TextAnalysis, texts: list[str]):  # type: ignore[no-untyped-def]
    return asyncio.run(models.analyze(texts))


def test_structure_ranges_and_vector(analysis: TextAnalysis) -> None:
    for result in analyze(analysis, TEXTS):
        structure = result.analysis.structure
        assert list(structure.emotions) == list(EMOTIONS)
        assert abs(sum(structure.emotions.values()) - 1) < 1e-3
        assert all(0 <= p <= 1 for p in structure.emotions.values())
        assert list(structure.appraisal) == list(APPRAISAL_DIMENSIONS)
        assert all(0 <= v <= 1 for v in structure.appraisal.values())
        assert -1 <= structure.valence <= 1 and 0 <= structure.arousal <= 1
        assert structure.theme.name in THEMES and 0 <= structure.theme.score <= 1
        assert structure.analyzer.name == "offline"
        assert structure.analyzer.version == analysis.analyzer.version
        assert result.emotion_vector.shape == (analysis.emotion_size,)
        assert abs(float(np.linalg.norm(result.emotion_vector)) - 1) < 1e-5
        assert abs(float(np.linalg.norm(result.content_vector)) - 1) < 1e-5


def test_batch_equals_single_and_is_deterministic(analysis: TextAnalysis) -> None:
    batch = analyze(analysis, TEXTS)
    for text, in_batch in zip(TEXTS, batch, strict=True):
        [alone] = analyze(analysis, [text])
        # Padding in a batch changes the embedding in the 7th digit; outputs are rounded
        # to 4, so allow one unit of the last place.
        single, batched = alone.analysis.structure, in_batch.analysis.structure
        for field in ("emotions", "appraisal"):
            a, b = getattr(single, field), getattr(batched, field)
            assert a.keys() == b.keys()
            assert all(abs(a[k] - b[k]) <= 2e-4 for k in a)
        assert single.theme.name == batched.theme.name
        assert np.allclose(alone.emotion_vector, in_batch.emotion_vector, atol=1e-3)
    again = analyze(analysis, TEXTS)
    assert [r.analysis.structure for r in again] == [r.analysis.structure for r in batch]


def test_version_names_the_weights(analysis: TextAnalysis) -> None:
    version = analysis.analyzer.version
    assert version.startswith("offline-1+") and len(version) == len("offline-1+") + 12
    assert analysis.schema()["analyzer_version"] == version


@pytest.mark.parametrize(
    ("text", "family", "theme", "appraisal"),
    [
        (
            "My father died in the hospital last week.",
            "sadness",
            "irrevocable_loss",
            {"irrevocable_loss": "high", "pleasantness": "low"},
        ),
        (
            "I passed my driving test on the first try!",
            "joy",
            None,
            {"pleasantness": "high", "goal_obstruction": "low"},
        ),
        (
            "A man with a knife followed me down the dark street.",
            "fear",
            "immediate_danger",
            {"future_threat": "high"},
        ),
        (
            "I stole money from my mother's purse and she blamed my brother.",
            "guilt",
            "transgression",
            {"self_responsibility": "high", "norm_violation": "high"},
        ),
        (
            "The restaurant kitchen was full of rats and rotten meat.",
            "disgust",
            "contamination",
            {},
        ),
        # Someone else's situation with a reaction that hides the feeling (corpus batch 7):
        # the feeling underneath decides, not "didn't want one anyway" or "making jokes".
        (
            "Nobody from his class came to Leo's birthday party, and he told his mum he "
            "didn't want one anyway.",
            "sadness",
            "exclusion",
            {"social_exclusion": "high"},
        ),
        (
            "The biopsy results come on Monday and my uncle keeps making jokes about it.",
            "fear",
            "uncertain_threat",
            {"future_threat": "high"},
        ),
    ],
)
def test_unmistakable_sentences(
    analysis: TextAnalysis, text: str, family: str, theme: str | None, appraisal: dict[str, str]
) -> None:
    [result] = analyze(analysis, [text])
    structure = result.analysis.structure
    families: dict[str, float] = {}
    for name, p in structure.emotions.items():
        families[EMOTION_FAMILIES[name]] = families.get(EMOTION_FAMILIES[name], 0) + p
    assert max(families, key=families.__getitem__) == family, structure.emotions
    if theme:
        assert structure.theme.name == theme
    for dimension, pole in appraisal.items():
        value = structure.appraisal[dimension]
        assert value >= 0.6 if pole == "high" else value <= 0.4, (dimension, value)


def test_shipped_weights_stay_small() -> None:
    from services.core.analyzer.offline import WEIGHTS_PATH

    assert WEIGHTS_PATH.stat().st_size < 5_000_000  # the budget for shipped weights


def test_layer_states_come_from_the_same_pass_as_the_embedding(analysis: TextAnalysis) -> None:
    from services.core.analyzer.offline import layer_features

    embedder = analysis.embedder
    encoded = embedder.encode_layers(TEXTS)
    assert encoded.layers.shape == (len(TEXTS), embedder.layer_count, embedder.dimension)
    # Our pass gives the model's own sentence embedding, in the caller's order...
    own = embedder._model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert np.allclose(encoded.content, own, atol=1e-5)
    # ...and the last layer's normalised mean state is that embedding.
    last = layer_features(encoded.layers, [embedder.layer_count - 1])
    assert np.allclose(last, encoded.content, atol=1e-5)
    empty = embedder.encode_layers([])
    assert empty.content.shape == (0, embedder.dimension)
    assert empty.layers.shape == (0, embedder.layer_count, embedder.dimension)
