"""Train the offline analyzer's heads and write services/core/analyzer/weights/offline.safetensors.

    python scripts/train_analyzer.py [--goemotions] [--seed 13]

Two sets of heads: a small MLP on the frozen embedding model's mean-pooled layers, and
linear "lexical" heads on word uni/bigram tf-idf; their outputs are mixed. Data: our
narrative corpus (data/narratives/, split 70/15/15 by id hash) and, with --goemotions,
GoEmotions' train.tsv from ../shared/data/ for the MLP's emotion head only. Selection
(layers read, hidden size, regularization, GoEmotions weight, lexical shares, vector block
weights) uses
the dev split; the final model is refit on train+dev and reported on the test split.
ISEAR is never read.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import save_file
from sklearn.feature_extraction.text import TfidfVectorizer
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.datasets import (
    Narrative,
    cached_encodings,
    load_corpus,
    load_goemotions,
    with_third_person,
)
from devtools.pools import make_trials, score_trials
from services.core.analyzer.labels import (
    APPRAISAL_DIMENSIONS,
    EMOTION_FAMILIES,
    EMOTIONS,
    FAMILIES,
    THEMES,
)
from services.core.analyzer.offline import (
    FAMILY_SUMS,
    WEIGHTS_PATH,
    OfflineAnalyzer,
    VectorWeights,
    family_scores,
    layer_features,
)
from services.core.embedding import Embedder, EncodedTexts

APPRAISALS = tuple(APPRAISAL_DIMENSIONS)
THEME_NAMES = tuple(THEMES)


# (dropout, weight decay) of the embedding heads: the corpus is written by a few dozen
# writer instances whose habits a lightly regularised MLP can learn; which one generalises
# better to held-out rows is chosen on dev.
REGULARIZATIONS = ((0.2, 1e-3), (0.4, 1e-2))


class Heads(nn.Module):
    def __init__(self, input_size: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.hidden = nn.Linear(input_size, hidden)
        self.dropout = nn.Dropout(dropout)
        self.emotions = nn.Linear(hidden, len(EMOTIONS))
        self.appraisal = nn.Linear(hidden, len(APPRAISALS))
        self.theme = nn.Linear(hidden, len(THEME_NAMES))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = self.dropout(torch.relu(self.hidden(x)))
        return self.emotions(h), self.appraisal(h), self.theme(h)


class LexicalHeads(nn.Module):
    """Linear heads over tf-idf word features (no hidden layer: few rows, many words)."""

    def __init__(self, vocabulary_size: int) -> None:
        super().__init__()
        self.emotions = nn.Linear(vocabulary_size, len(EMOTIONS))
        self.appraisal = nn.Linear(vocabulary_size, len(APPRAISALS))
        self.theme = nn.Linear(vocabulary_size, len(THEME_NAMES))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.emotions(x), self.appraisal(x), self.theme(x)


def targets(rows: list[Narrative]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    emotions = np.zeros((len(rows), len(EMOTIONS)), dtype=np.float32)
    appraisal = np.zeros((len(rows), len(APPRAISALS)), dtype=np.float32)
    theme = np.zeros(len(rows), dtype=np.int64)
    for i, row in enumerate(rows):
        for name, weight in row.emotions.items():
            emotions[i, EMOTIONS.index(name)] = weight
        emotions[i] /= emotions[i].sum()
        appraisal[i] = [row.appraisal[a] for a in APPRAISALS]
        theme[i] = THEME_NAMES.index(row.theme)
    return emotions, appraisal, theme


def train(
    x: np.ndarray,
    y_emotions: np.ndarray,
    y_appraisal: np.ndarray,
    y_theme: np.ndarray,
    go_x: np.ndarray | None,
    go_y: np.ndarray | None,
    *,
    model: nn.Module,
    go_weight: float,
    seed: int,
    epochs: int = 60,
    weight_decay: float = 1e-3,
) -> nn.Module:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=weight_decay)
    tx, te, ta, tt = map(torch.from_numpy, (x, y_emotions, y_appraisal, y_theme))
    smoothing = 0.02
    te = te * (1 - smoothing) + smoothing / te.shape[1]
    use_go = go_x is not None and go_y is not None and go_weight > 0
    batch = 64
    for _ in range(epochs):
        model.train()
        order = rng.permutation(len(x))
        for start in range(0, len(order), batch):
            idx = torch.from_numpy(order[start : start + batch])
            logits_e, logits_a, logits_t = model(tx[idx])
            loss = -(te[idx] * torch.log_softmax(logits_e, dim=1)).sum(1).mean()
            loss = loss + 2.0 * nn.functional.binary_cross_entropy_with_logits(logits_a, ta[idx])
            loss = loss + 0.5 * nn.functional.cross_entropy(logits_t, tt[idx])
            if use_go:
                assert go_x is not None and go_y is not None
                go_idx = rng.integers(0, len(go_x), size=batch)
                go_logits, _, _ = model(torch.from_numpy(go_x[go_idx]))
                go_target = torch.from_numpy(go_y[go_idx])
                go_loss = -(go_target * torch.log_softmax(go_logits, dim=1)).sum(1).mean()
                loss = loss + go_weight * go_loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    return model


def export(
    model: nn.Module,
    lexical: nn.Module,
    vectorizer: TfidfVectorizer,
    shares: dict[str, float],
    centring: dict[str, np.ndarray],
    layers: tuple[int, ...],
    path: Path,
    metadata: dict[str, str],
) -> None:
    def t(layer: nn.Linear) -> tuple[np.ndarray, np.ndarray]:
        # Stored as (in, out) so that inference is x @ W + b.
        return layer.weight.detach().numpy().T.copy(), layer.bias.detach().numpy().copy()

    tensors = {}
    for name in ("hidden", "emotions", "appraisal", "theme"):
        tensors[f"{name}.weight"], tensors[f"{name}.bias"] = t(getattr(model, name))
    for name in ("emotions", "appraisal", "theme"):
        weight, bias = t(getattr(lexical, name))
        # float16 halves the file (the vocabulary is large); precision loss is ~1e-3.
        tensors[f"lexical.{name}.weight"] = weight.astype(np.float16)
        tensors[f"lexical.{name}.bias"] = bias.astype(np.float16)
    tensors["lexicon.idf"] = vectorizer.idf_.astype(np.float32)
    tensors.update(centring)
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(
        tensors,
        str(path),
        metadata={
            **metadata,
            "vocabulary": json.dumps(vocabulary),
            "lexical_share": json.dumps(shares),
            "layers": json.dumps(list(layers)),
        },
    )


def centring_stats(
    model: nn.Module,
    lexical: nn.Module,
    vectorizer: TfidfVectorizer,
    shares: dict[str, float],
    x: np.ndarray,
    texts: list[str],
) -> dict[str, np.ndarray]:
    """Typical mixed outputs on the fitting rows, which the emotion vector is centred on."""
    words = vectorizer.transform(texts).toarray().astype(np.float32)
    mlp, lex = head_outputs(model, x), head_outputs(lexical, words)
    emotions = (1 - shares["emotions"]) * mlp[0] + shares["emotions"] * lex[0]
    appraisal = (1 - shares["appraisal"]) * mlp[1] + shares["appraisal"] * lex[1]
    return {
        "vector.emotions_centre": np.sqrt(emotions).mean(0).astype(np.float32),
        "vector.families_centre": np.sqrt(emotions @ FAMILY_SUMS).mean(0).astype(np.float32),
        "vector.appraisal_mean": appraisal.mean(0).astype(np.float32),
        "vector.appraisal_scale": (appraisal.std(0) + 1e-3).astype(np.float32),
    }


def fit_vectorizer(texts: list[str]) -> TfidfVectorizer:
    # Must match services/core/analyzer/lexicon.py: lowercase, \b\w\w+\b tokens, 1-2 grams.
    # At most 20k terms (the most frequent) keeps the weights file well under 5 MB.
    return TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, max_features=20_000, sublinear_tf=True
    ).fit(texts)


def head_outputs(model: nn.Module, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with torch.no_grad():
        e, a, t = model(torch.from_numpy(x))
    return torch.softmax(e, 1).numpy(), torch.sigmoid(a).numpy(), torch.softmax(t, 1).numpy()


def choose_shares(
    mlp: tuple[np.ndarray, ...], lexical: tuple[np.ndarray, ...], rows: list[Narrative]
) -> dict[str, float]:
    """The share of the lexical heads in each output, chosen on held-out rows."""
    _, y_a, y_t = targets(rows)
    true_family = np.array([EMOTION_FAMILIES[r.primary_emotion] for r in rows])
    scored = np.isin(true_family, FAMILIES)
    options = (0.0, 0.25, 0.5, 0.75)

    def family_accuracy(p: np.ndarray) -> float:
        predicted = np.array([family_of(row) for row in p])
        return float(np.mean(predicted[scored] == true_family[scored]))

    def mix(i: int, share: float) -> np.ndarray:
        return (1 - share) * mlp[i] + share * lexical[i]

    return {
        "emotions": max(options, key=lambda w: family_accuracy(mix(0, w))),
        "appraisal": min(options, key=lambda w: float(np.abs(mix(1, w) - y_a).mean())),
        "theme": max(options, key=lambda w: float(np.mean(mix(2, w).argmax(1) == y_t))),
    }


def family_of(emotion_probabilities: np.ndarray) -> str:
    return FAMILIES[int(family_scores(emotion_probabilities).argmax())]


def cosine_over(vectors: np.ndarray) -> Callable[[int, Sequence[int]], np.ndarray]:
    """Similarity of a trial's target to each pool member (rows are unit vectors)."""
    return lambda target, pool: vectors[list(pool)] @ vectors[target]


def evaluate(
    path: Path,
    encoded: EncodedTexts,
    rows: list[Narrative],
    weights_grid: list[VectorWeights],
    seed: int,
) -> tuple[dict, VectorWeights]:
    analyzer = OfflineAnalyzer(path)
    analyses = analyzer.analyze([r.text for r in rows], encoded.layers)
    true_primary = [r.primary_emotion for r in rows]
    pred_primary = [
        max(a.structure.emotions, key=a.structure.emotions.__getitem__) for a in analyses
    ]
    true_family = [EMOTION_FAMILIES[e] for e in true_primary]
    pred_family = [
        family_of(np.array([a.structure.emotions[e] for e in EMOTIONS])) for a in analyses
    ]
    scored = [i for i, f in enumerate(true_family) if f in FAMILIES]
    family_accuracy = float(np.mean([pred_family[i] == true_family[i] for i in scored]))
    per_emotion_f1 = {}
    for name in EMOTIONS:
        tp = sum(p == name and t == name for p, t in zip(pred_primary, true_primary, strict=True))
        fp = sum(p == name and t != name for p, t in zip(pred_primary, true_primary, strict=True))
        fn = sum(p != name and t == name for p, t in zip(pred_primary, true_primary, strict=True))
        if tp + fn:
            per_emotion_f1[name] = round(2 * tp / (2 * tp + fp + fn), 3)
    true_a = np.array([[r.appraisal[a] for a in APPRAISALS] for r in rows])
    pred_a = np.array([[s.structure.appraisal[a] for a in APPRAISALS] for s in analyses])
    appraisal_report = {
        a: {
            "mae": round(float(np.abs(true_a[:, j] - pred_a[:, j]).mean()), 3),
            "r": round(float(np.corrcoef(true_a[:, j], pred_a[:, j])[0, 1]), 3),
        }
        for j, a in enumerate(APPRAISALS)
    }
    theme_accuracy = float(
        np.mean([a.structure.theme.name == r.theme for a, r in zip(analyses, rows, strict=True)])
    )
    trials = make_trials(true_family, [r.origin for r in rows], trials=400, seed=seed)
    # The vector should find memories that felt the same (family) *and* were appraised the
    # same way: the objective rewards the first and penalises the top match's appraisal gap.
    best_weights, best, best_objective = weights_grid[0], {"top1": 0.0}, -np.inf
    for w in weights_grid:
        vectors = np.stack([analyzer.vector(a, w) for a in analyses])
        result = score_trials(trials, true_family, cosine_over(vectors), true_a)
        objective = result["top1"] - result["top1_appraisal_gap"]
        if objective > best_objective:
            best_weights, best, best_objective = w, result, objective
    content = score_trials(trials, true_family, cosine_over(encoded.content), true_a)
    report = {
        "family_accuracy": round(family_accuracy, 3),
        "primary_emotion_macro_f1": round(float(np.mean(list(per_emotion_f1.values()))), 3),
        "per_emotion_f1": per_emotion_f1,
        "appraisal": appraisal_report,
        "appraisal_mean_mae": round(float(np.abs(true_a - pred_a).mean()), 3),
        "theme_accuracy": round(theme_accuracy, 3),
        "retrieval_top1": round(best["top1"], 3),
        "retrieval_p_at_3": round(best["p_at_3"], 3),
        "retrieval_top1_appraisal_gap": round(best["top1_appraisal_gap"], 3),
        "content_cosine_top1": round(content["top1"], 3),
        "content_cosine_top1_appraisal_gap": round(content["top1_appraisal_gap"], 3),
        "vector_weights": best_weights.as_dict(),
        "n": len(rows),
    }
    return report, best_weights


def subset(encoded: EncodedTexts, rows: np.ndarray) -> EncodedTexts:
    return EncodedTexts(encoded.content[rows], encoded.layers[rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--goemotions", action="store_true", help="also try GoEmotions")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    started = time.time()
    # Targets are other people's situations, mostly told in the third person: train and
    # select on both forms (devtools/augment.py).
    rows = with_third_person(load_corpus())
    embedder = Embedder()
    encoded = cached_encodings([r.text for r in rows], embedder)
    last = embedder.layer_count - 1
    # The heads read the last layer alone (the sentence embedding) or it together with
    # the layers below it, which keep more of the wording; chosen on dev.
    layer_choices = [tuple(range(last - depth + 1, last + 1)) for depth in (1, 3, 5)]
    split = np.array([r.split for r in rows])
    idx = {s: np.where(split == s)[0] for s in ("train", "dev", "test")}
    print(f"corpus: {len(rows)} narratives; " + ", ".join(f"{s} {len(i)}" for s, i in idx.items()))
    y_e, y_a, y_t = targets(rows)

    go_layers = go_y = None
    go_weights = [0.0]
    if args.goemotions:
        go_texts, go_labels = load_goemotions("train")
        go_layers = cached_encodings(go_texts, embedder).layers
        go_y = np.zeros((len(go_texts), len(EMOTIONS)), dtype=np.float32)
        for i, labels in enumerate(go_labels):
            go_y[i, labels] = 1.0 / len(labels)
        go_weights = [0.0, 0.3]

    grid = [
        VectorWeights(e, a, t, lat, fam)
        for e, a, t, lat, fam in itertools.product(
            (0.5, 1.0), (0.0, 0.5, 1.0), (0.0, 0.5), (0.0, 0.5, 1.0), (0.0, 1.0, 2.0)
        )
    ]
    texts = [r.text for r in rows]
    dev_rows = [rows[i] for i in idx["dev"]]
    tmp = Path("/tmp/emosync-analyzer-candidate.safetensors")

    def fit_lexical(fit: np.ndarray) -> tuple[TfidfVectorizer, nn.Module]:
        vectorizer = fit_vectorizer([texts[i] for i in fit])
        words = vectorizer.transform([texts[i] for i in fit]).toarray().astype(np.float32)
        model = train(
            words,
            y_e[fit],
            y_a[fit],
            y_t[fit],
            None,
            None,
            model=LexicalHeads(words.shape[1]),
            go_weight=0.0,
            seed=args.seed,
            epochs=40,
            weight_decay=1e-2,
        )
        return vectorizer, model

    def fit_embedding_heads(
        fit: np.ndarray,
        x: np.ndarray,
        go_x: np.ndarray | None,
        hidden: int,
        regularization: tuple[float, float],
        go_weight: float,
    ) -> nn.Module:
        dropout, weight_decay = regularization
        return train(
            x[fit],
            y_e[fit],
            y_a[fit],
            y_t[fit],
            go_x,
            go_y,
            model=Heads(x.shape[1], hidden, dropout),
            go_weight=go_weight,
            seed=args.seed,
            weight_decay=weight_decay,
        )

    vectorizer, lexical = fit_lexical(idx["train"])
    dev_words = vectorizer.transform([texts[i] for i in idx["dev"]]).toarray().astype(np.float32)
    lexical_dev = head_outputs(lexical, dev_words)
    best_config, best_score = None, -1.0
    for layers in layer_choices:
        x_all = layer_features(encoded.layers, layers)
        go_x = None if go_layers is None else layer_features(go_layers, layers)
        for hidden, regularization, go_weight in itertools.product(
            (128, 256), REGULARIZATIONS, go_weights
        ):
            tr = idx["train"]
            model = fit_embedding_heads(tr, x_all, go_x, hidden, regularization, go_weight)
            shares = choose_shares(head_outputs(model, x_all[idx["dev"]]), lexical_dev, dev_rows)
            centring = centring_stats(
                model, lexical, vectorizer, shares, x_all[tr], [texts[i] for i in tr]
            )
            export(model, lexical, vectorizer, shares, centring, layers, tmp, {})
            report, weights = evaluate(tmp, subset(encoded, idx["dev"]), dev_rows, grid, args.seed)
            score = (
                report["family_accuracy"]
                + report["retrieval_top1"]
                - report["retrieval_top1_appraisal_gap"]
            )
            print(
                f"dev layers={layers} hidden={hidden} (dropout, weight decay)={regularization} "
                f"goemotions={go_weight} lexical shares "
                f"{shares}: family acc {report['family_accuracy']}, retrieval top-1 "
                f"{report['retrieval_top1']} (content {report['content_cosine_top1']}) "
                f"with {weights.as_dict()}",
                flush=True,
            )
            if score > best_score:
                best_config = (layers, hidden, regularization, go_weight, shares, weights)
                best_score = score
    assert best_config is not None
    layers, hidden, regularization, go_weight, shares, weights = best_config

    fit = np.concatenate([idx["train"], idx["dev"]])
    x_all = layer_features(encoded.layers, layers)
    go_x = None if go_layers is None else layer_features(go_layers, layers)
    model = fit_embedding_heads(fit, x_all, go_x, hidden, regularization, go_weight)
    vectorizer, lexical = fit_lexical(fit)
    metadata = {
        "hidden": str(hidden),
        "dropout": str(regularization[0]),
        "weight_decay": str(regularization[1]),
        "goemotions_weight": str(go_weight),
        "seed": str(args.seed),
        "corpus_rows": str(len(rows)),
        "vector_weights": json.dumps(weights.as_dict()),
    }
    centring = centring_stats(
        model, lexical, vectorizer, shares, x_all[fit], [texts[i] for i in fit]
    )
    export(model, lexical, vectorizer, shares, centring, layers, WEIGHTS_PATH, metadata)
    test_rows = [rows[i] for i in idx["test"]]
    test_report, _ = evaluate(
        WEIGHTS_PATH, subset(encoded, idx["test"]), test_rows, [weights], args.seed
    )
    test_report["selected"] = {
        "layers": list(layers),
        "hidden": hidden,
        "dropout": regularization[0],
        "weight_decay": regularization[1],
        "goemotions_weight": go_weight,
        "lexical_share": shares,
        "vocabulary": len(vectorizer.vocabulary_),
    }
    metrics_path = WEIGHTS_PATH.with_name("offline.metrics.json")
    metrics_path.write_text(json.dumps(test_report, indent=2) + "\n")
    print(json.dumps(test_report, indent=2))
    size_mb = WEIGHTS_PATH.stat().st_size / 1e6
    print(f"wrote {WEIGHTS_PATH} ({size_mb:.2f} MB) in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
