"""Word and word-pair features (tf-idf) for the offline analyzer's lexical heads.

Sentence embeddings blur the few words that decide how an event felt ("praised" vs
"mocked", "returned" vs "kept"); a linear model over word uni- and bigrams sees them.
Tokenisation and weighting reproduce scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2),
sublinear_tf=True)`` used at training time, so the shipped weights apply unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def ngrams(text: str) -> list[str]:
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


class Lexicon:
    def __init__(self, vocabulary: list[str], idf: np.ndarray) -> None:
        if len(vocabulary) != len(idf):
            raise ValueError("vocabulary and idf differ in length")
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)

    @property
    def size(self) -> int:
        return len(self.idf)

    def features(self, texts: list[str]) -> np.ndarray:
        """Rows of L2-normalised sublinear tf-idf, shape (len(texts), vocabulary size)."""
        matrix = np.zeros((len(texts), self.size), dtype=np.float32)
        for row, text in enumerate(texts):
            counts = Counter(self.index[g] for g in ngrams(text) if g in self.index)
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64)
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32))
            values = tf * self.idf[columns]
            matrix[row, columns] = values / np.linalg.norm(values)
        return matrix
