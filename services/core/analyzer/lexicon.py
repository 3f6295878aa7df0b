"""Word and word-pair features (tf-idf) for the offline analyzer's lexical heads.

Sentence embeddings blur the few words that decide how an event felt ("praised" vs
"mocked", "returned" vs "kept"); a linear model over word uni- and bigrams sees them.
Tokenisation and weighting reproduce scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2),
sublinear_tf=True)`` used at training time, so the shipped weights apply unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def ngrams(text: str) -> list[str]:
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


@dataclass(frozen=True)
class SparseRow:
    """One text's non-zero tf-idf features: vocabulary indices and their values."""

    columns: np.ndarray
    values: np.ndarray


class Lexicon:
    def __init__(self, vocabulary: list[str], idf: np.ndarray) -> None:
        if len(vocabulary) != len(idf):
            raise ValueError("vocabulary and idf differ in length")
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)

    @property
    def size(self) -> int:
        return len(self.idf)

    def features(self, texts: list[str]) -> list[SparseRow]:
        """L2-normalised sublinear tf-idf of each text, kept sparse: a text touches a few
        dozen of the ~20k terms, so heads gather those rows instead of a dense product."""
        rows = []
        for text in texts:
            counts = Counter(self.index[g] for g in ngrams(text) if g in self.index)
            columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
            values = tf * self.idf[columns]
            norm = float(np.linalg.norm(values))
            rows.append(SparseRow(columns, values / norm if norm else values))
        return rows


def linear(rows: list[SparseRow], weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``features @ weight + bias`` for sparse feature rows."""
    out = np.tile(bias, (len(rows), 1))
    for i, row in enumerate(rows):
        if row.columns.size:
            out[i] += row.values @ weight[row.columns]
    return out
