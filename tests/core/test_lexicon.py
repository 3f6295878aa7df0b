"""The run-time lexicon reproduces scikit-learn's tf-idf used at training time."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from services.core.analyzer.lexicon import Lexicon, linear

TRAIN = [
    "My boss praised my report in front of everyone.",
    "My boss mocked my report in front of everyone!",
    "I didn't get invited to my cousin's wedding, again.",
    "The café owner gave me free coffee; the owner is kind.",
    "I lied to my mother about the money, and she believed me.",
]
NEW = ["My BOSS praised the café owner.", "Nothing in the vocabulary here", "", "I lied, I lied."]


def test_features_match_scikit_learn() -> None:
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True).fit(TRAIN)
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    lexicon = Lexicon(vocabulary, vectorizer.idf_)
    expected = vectorizer.transform(TRAIN + NEW).toarray()
    rows = lexicon.features(TRAIN + NEW)
    dense = np.zeros_like(expected)
    for i, row in enumerate(rows):
        dense[i, row.columns] = row.values
    assert np.allclose(dense, expected, atol=1e-6)
    weight = np.random.default_rng(0).normal(size=(lexicon.size, 3)).astype(np.float32)
    bias = np.array([0.1, -0.2, 0.3], dtype=np.float32)
    assert np.allclose(linear(rows, weight, bias), expected @ weight + bias, atol=1e-5)
