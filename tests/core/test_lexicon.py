"""The run-time lexicon reproduces scikit-learn's tf-idf used at training time."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from services.core.analyzer.lexicon import Lexicon

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
    assert np.allclose(lexicon.features(TRAIN + NEW), expected, atol=1e-6)
