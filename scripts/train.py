#!/usr/bin/python3
"""Train the fraud model and export it as a TorchScript artifact.

    /usr/bin/python3 scripts/train.py --data train.csv --out model-artifacts/fraud/1 \
        [--name fraud] [--version 1] [--seed 7] [--epochs 20] [--target-precision 0.8]
    /usr/bin/python3 scripts/train.py --data heldout.csv --evaluate model-artifacts/fraud/4

Input: the CSV ``rtml backfill`` writes (RFC 4180 quoting), with the header
``event_id,<entity ids...>,event_time,<features...>,label``; event_time is epoch milliseconds,
every feature is a float, label is 0 or 1 (rows with an empty label, not known, are skipped). The
features are whatever columns lie between event_time and label, in that order. training_csv.py,
beside this file, reads it.

Output, in --out: ``model.pt`` (TorchScript; takes RAW feature vectors float32[B, F], applies the
training-set standardisation and the sigmoid itself, returns fraud probabilities float32[B]),
``metadata.json`` and ``MODEL_CARD.md``.

metadata.json records the sha256 of model.pt (``sha256``); the job refuses a model file whose
hash differs (truncated or altered) before the version takes traffic.

The run is deterministic: the same data and seed give bit-identical weights and metrics on the
same machine and torch build, and MODEL_CARD.md comes out byte-identical (no clock, no paths), as
does metadata.json but for ``sha256``. model.pt (and so its sha256) repeats byte for byte only from
the same checkout path, because TorchScript's debug info records the absolute path of this file;
weights_sha256 in metadata.json identifies the weights regardless.

Needs Debian's python3-torch and python3-numpy, run by Debian's /usr/bin/python3 (scripts/train
installs them when missing). No pandas or scikit-learn: csv and numpy only.
"""

import argparse
import hashlib
import io
import json
import math
import os
import random
import re
import sys
import time
from typing import NoReturn

# torch.jit.save writes a module's constants in set order, which follows Python's per-process
# string-hash seed: fix the seed (it can only be set before the interpreter starts) so that the
# same training run also gives the same model.pt bytes.
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

import numpy as np
import torch
from torch import Tensor, nn

import training_csv  # beside this file

SCRIPT = "scripts/train.py"

HOLDOUT_FRACTION = 0.2  # the latest 20 % of events, by (event_time, event_id)
STD_FLOOR = 1e-6
HIDDEN = (32, 16)
BATCH_SIZE = 256
LEARNING_RATE = 1e-3
DEFAULT_EPOCHS = 20
DECIMALS = 6  # every float in metadata.json; the threshold is searched on this grid too
DRIFT_BINS = 10  # the drift reference: deciles of each feature in the training split


def log(msg: str) -> None:
    print(f"train: {msg}", flush=True)


def fail(msg: str) -> NoReturn:
    print(f"train: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


# --------------------------------------------------------------------------------------------
# data


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_training_csv(path: str):
    """Returns (feature_names, event_ids, event_times int64[n], X float64[n, F], y int64[n])."""
    try:
        data = training_csv.read(path)
    except training_csv.TrainingSetError as e:
        fail(str(e))
    if data.unlabelled:
        log(f"skipped {data.unlabelled} rows without a label")
    if not data.rows:
        fail(f"{path} has no labelled rows")
    X = np.asarray(data.rows, dtype=np.float64)
    return (data.features, data.ids, np.asarray(data.times, dtype=np.int64), X,
            np.asarray(data.labels, dtype=np.int64))


# --------------------------------------------------------------------------------------------
# model


class FraudMLP(nn.Module):
    """Raw features -> standardise (baked-in buffers) -> MLP -> probability.

    forward(x: float32[B, F]) -> float32[B] in [0, 1].

    Training weighs positives by pos_weight, which shifts the logits by log(pos_weight);
    forward() adds `logit_offset` = -log(pos_weight) back, so its scores estimate the real
    fraud probability (prior-shift correction) instead of an inflated one.
    """

    def __init__(self, mean: Tensor, std: Tensor):
        super().__init__()
        n_features = int(mean.shape[0])
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())
        self.register_buffer("logit_offset", torch.zeros(()))
        self.net = nn.Sequential(
            nn.Linear(n_features, HIDDEN[0]),
            nn.ReLU(),
            nn.Linear(HIDDEN[0], HIDDEN[1]),
            nn.ReLU(),
            nn.Linear(HIDDEN[1], 1),
        )

    def logits(self, x: Tensor) -> Tensor:
        return self.net((x - self.mean) / self.std).squeeze(-1)

    def forward(self, x: Tensor) -> Tensor:
        return torch.sigmoid(self.logits(x) + self.logit_offset)


def weights_sha256(module: nn.Module) -> str:
    """sha256 over the state_dict (names, dtypes, shapes and raw bytes, in order)."""
    h = hashlib.sha256()
    for name, tensor in module.state_dict().items():
        t = tensor.detach().cpu().contiguous()
        h.update(name.encode())
        h.update(str(t.dtype).encode())
        h.update(str(tuple(t.shape)).encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()


def train(model: FraudMLP, X: Tensor, y: Tensor, epochs: int, seed: int) -> float:
    n = X.shape[0]
    positives = float(y.sum().item())
    pos_weight = torch.tensor([(n - positives) / positives], dtype=torch.float32)
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    shuffle = torch.Generator().manual_seed(seed)
    log(f"training on {n} rows, pos_weight {pos_weight.item():.2f}, batch {BATCH_SIZE}, "
        f"lr {LEARNING_RATE}, {epochs} epochs")
    model.train()
    loss_mean = float("nan")
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        order = torch.randperm(n, generator=shuffle)
        total = 0.0
        for start in range(0, n, BATCH_SIZE):
            idx = order[start:start + BATCH_SIZE]
            loss = loss_fn(model.logits(X[idx]), y[idx])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            total += loss.item() * idx.shape[0]
        loss_mean = total / n
        log(f"epoch {epoch}/{epochs} loss {loss_mean:.6f} ({time.perf_counter() - started:.1f}s)")
    model.eval()
    return loss_mean


# --------------------------------------------------------------------------------------------
# evaluation (numpy only)


def curve(y: np.ndarray, score: np.ndarray):
    """Cumulative counts at each distinct score, highest first.

    Returns (thresholds, tp, fp): predicting positive when score >= thresholds[k] gives tp[k]
    true and fp[k] false positives.
    """
    order = np.argsort(-score, kind="mergesort")
    s = score[order]
    hits = y[order].astype(np.int64)
    last = np.r_[np.flatnonzero(np.diff(s) != 0), s.shape[0] - 1]  # end of each run of ties
    tp = np.cumsum(hits)[last]
    fp = (last + 1) - tp
    return s[last], tp, fp


def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """Step-wise AP: sum over thresholds of (R_k - R_{k-1}) * P_k (no interpolation)."""
    _, tp, fp = curve(y, score)
    precision = tp / (tp + fp)
    recall = tp / tp[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    _, tp, fp = curve(y, score)
    tpr = np.r_[0.0, tp / tp[-1]]
    fpr = np.r_[0.0, fp / fp[-1]]
    return float(np.trapz(tpr, fpr))


def choose_threshold(y: np.ndarray, prob: np.ndarray, target_precision: float):
    """Decision threshold on the 10^-6 grid that metadata.json stores.

    The scores are floored to the grid first: for a grid value t, ``prob >= t`` holds exactly when
    ``floor(prob * 1e6) >= t * 1e6``, so the precision and recall reported here are exactly those
    of the rounded threshold written to metadata.json.
    Rule: among the thresholds whose precision >= target, the highest one with the most recall
    (lowering it further would add only false positives); when none reaches the target, the
    threshold with the best F1.
    Returns (threshold, precision, recall, rule).
    """
    scale = 10 ** DECIMALS
    grid = np.floor(prob.astype(np.float64) * scale).astype(np.int64)
    thresholds, tp, fp = curve(y, grid)
    precision = tp / (tp + fp)
    recall = tp / tp[-1]
    meets = np.flatnonzero(precision >= target_precision)
    if meets.size:
        best_recall = recall[meets[-1]]  # the lowest qualifying threshold has the most recall
        k = int(meets[np.flatnonzero(recall[meets] == best_recall)[0]])  # the highest such
        rule = f"max recall at precision >= {target_precision:g}"
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            f1 = np.where(tp > 0, 2 * precision * recall / (precision + recall), 0.0)
        k = int(np.argmax(f1))  # ties: the highest threshold
        rule = (f"max F1 (no threshold reached precision >= {target_precision:g} "
                f"on the hold-out set)")
    return int(thresholds[k]) / scale, float(precision[k]), float(recall[k]), rule


# --------------------------------------------------------------------------------------------
# artifacts


# --------------------------------------------------------------------------------------------
# baselines

BASELINE_NAMES = {"event_fields_only": "same model, event fields only",
                  "rules": "hand-written rules score"}


ENTITY_PREFIXES = ("card_", "merchant_")


def rules_score(features, X: np.ndarray):
    """A hand-written score, what a fraud team would start with: one point per red flag.

    Returns None when the features it reads are missing.
    """
    needed = ["card_txn_count_1h", "card_distinct_merchants_1h", "card_new_device_24h",
              "card_new_country_24h", "card_amount_zscore_24h", "merchant_distinct_cards_10m",
              "amount_log1p"]
    if any(f not in features for f in needed):
        return None
    col = {f: X[:, features.index(f)] for f in needed}
    score = ((col["card_txn_count_1h"] >= 4).astype(float)
             + (col["card_distinct_merchants_1h"] >= 3)
             + ((col["card_new_device_24h"] == 1) & (col["card_amount_zscore_24h"] > 2))
             + ((col["card_new_country_24h"] == 1) & (col["card_amount_zscore_24h"] > 1))
             + (col["merchant_distinct_cards_10m"] >= 5)
             # ties broken by the amount: a bigger payment under the same flags ranks higher
             + col["amount_log1p"] / 100.0)
    return score


def evaluate(y: np.ndarray, score: np.ndarray, target_precision: float) -> dict:
    threshold, precision, recall, rule = choose_threshold(y, score, target_precision)
    return {"pr_auc": r6(average_precision(y, score)), "roc_auc": r6(roc_auc(y, score)),
            "threshold": r6(threshold), "precision_at_threshold": r6(precision),
            "recall_at_threshold": r6(recall), "threshold_rule": rule}


def train_event_only(features, X_tr, y_tr, X_ho, y_ho, args) -> dict:
    """The same model, trained and evaluated on the event's own fields only (no windows)."""
    keep = [i for i, f in enumerate(features) if not f.startswith(ENTITY_PREFIXES)]
    Xt, Xh = X_tr[:, keep], X_ho[:, keep]
    mean = np.round(Xt.mean(axis=0), DECIMALS)
    raw = Xt.std(axis=0)
    std = np.round(np.where(raw < STD_FLOOR, 1.0, raw), DECIMALS)
    torch.manual_seed(args.seed)
    model = FraudMLP(torch.tensor(mean, dtype=torch.float32), torch.tensor(std, dtype=torch.float32))
    train(model, torch.tensor(Xt, dtype=torch.float32), torch.tensor(y_tr, dtype=torch.float32),
          args.epochs, args.seed)
    with torch.no_grad():
        prob = model(torch.tensor(Xh, dtype=torch.float32)).numpy()
    result = evaluate(y_ho, prob, args.target_precision)
    result["inputs"] = [features[i] for i in keep]
    return result


def drift_reference(features, X: np.ndarray) -> dict:
    """Each feature's training distribution over at most DRIFT_BINS bins, for the job's PSI.

    The edges are the feature's deciles (repeated values merged, so a 0/1 feature has one edge);
    a value falls in bin i when exactly i edges are below it, i.e. bin 0 is (-inf, e1], bin i is
    (e_i, e_i+1] and the last is (e_k, inf).
    """
    reference = {}
    for j, name in enumerate(features):
        column = X[:, j]
        edges = np.unique(np.round(np.quantile(column, np.linspace(0, 1, DRIFT_BINS + 1)[1:-1]),
                                   DECIMALS))
        bins = np.searchsorted(edges, column, side="left")
        counts = np.bincount(bins, minlength=len(edges) + 1)
        reference[name] = {"edges": [r6(e) for e in edges],
                           "proportions": [r6(c / len(column)) for c in counts]}
    return {"bins": "deciles of the training split", "features": reference}


def r6(x) -> float:
    return round(float(x), DECIMALS)


def write_atomically(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def model_card(meta: dict, args, loss: float) -> str:
    t, m = meta["training"], meta["metrics"]
    norm = meta["normalisation"]
    lines = [
        f"# Model card: {meta['name']} v{meta['version']}",
        "",
        "A small multilayer perceptron that scores one card transaction with the probability that it "
        "is fraudulent. It is exported as TorchScript (`model.pt`) for the rtml Flink job, which "
        "runs it through DJL.",
        "",
        f"- **Input**: `float32[B, {len(meta['inputs'])}]`, the RAW feature values in the order below. "
        "The standardisation (training-split mean and standard deviation) is built into the model; "
        "do not normalise before calling it.",
        "- **Output**: `float32[B]`, `fraud_probability` in [0, 1] (the sigmoid is applied inside).",
        f"- **Architecture**: standardise → Linear({len(meta['inputs'])}→{HIDDEN[0]}) → ReLU → "
        f"Linear({HIDDEN[0]}→{HIDDEN[1]}) → ReLU → Linear({HIDDEN[1]}→1) → sigmoid.",
        f"- **Decision**: flag a transaction when `fraud_probability >= {meta['threshold']}` "
        f"(rule: {m['threshold_rule']}).",
        "",
        "## Inputs",
        "",
        "| # | feature | training mean | training std |",
        "|---|---------|--------------:|-------------:|",
    ]
    for i, (name, mu, sd) in enumerate(zip(meta["inputs"], norm["mean"], norm["std"])):
        lines.append(f"| {i} | `{name}` | {mu} | {sd} |")
    lines += [
        "",
        "## Training",
        "",
        f"- Data: `{t['data']}` (sha256 `{t['data_sha256']}`), {t['rows']} rows, "
        f"{t['positives']} positives ({t['positives'] / t['rows']:.3%}).",
        f"- Split by time: rows sorted by (event_time, event_id); the first {t['train_rows']} "
        f"train the model, the latest {t['holdout_rows']} are the hold-out set.",
        f"- Loss: binary cross-entropy on logits with pos_weight = negatives / positives of the "
        f"training split. Adam, learning rate {LEARNING_RATE}, batch {BATCH_SIZE}, "
        f"{t['epochs']} epochs, final training loss {loss:.6f}.",
        f"- Seed {t['seed']}, one CPU thread, deterministic algorithms: the same data and seed "
        "give bit-identical weights and metrics (on the same machine and torch build).",
        f"- torch {t['torch_version']}; weights sha256 `{t['weights_sha256']}`, taken over the "
        "state_dict. The bytes of `model.pt` repeat too, but only from the same checkout path: "
        "TorchScript's debug info records the absolute path of `train.py`.",
        "",
        "## Hold-out metrics",
        "",
        "| metric | value |",
        "|--------|------:|",
        f"| PR-AUC (average precision) | {m['holdout_pr_auc']} |",
        f"| ROC-AUC | {m['holdout_roc_auc']} |",
        f"| base rate (fraud share) | {m['holdout_base_rate']} |",
        f"| threshold | {meta['threshold']} |",
        f"| precision at threshold | {m['precision_at_threshold']} |",
        f"| recall at threshold | {m['recall_at_threshold']} |",
        "",
        f"Threshold rule: {m['threshold_rule']}. The threshold lies on a 10⁻⁶ grid and the "
        "precision and recall above are those of exactly that value.",
        "",
        "## Against baselines (same hold-out set)",
        "",
        "| scorer | PR-AUC | ROC-AUC | recall at its threshold | precision there |",
        "|---|---:|---:|---:|---:|",
        f"| this model (windowed features) | {m['holdout_pr_auc']} | {m['holdout_roc_auc']} | "
        f"{m['recall_at_threshold']} | {m['precision_at_threshold']} |",
    ] + [
        f"| {BASELINE_NAMES.get(name, name)} | {b['pr_auc']} | {b['roc_auc']} | "
        f"{b['recall_at_threshold']} | {b['precision_at_threshold']} |"
        for name, b in meta["baselines"].items()
    ] + [
        "",
        "Each threshold is chosen by the same rule on the scorer's own hold-out scores. The "
        "event-fields-only model is this architecture trained with the same seed on the columns "
        "that do not describe a card's or a merchant's past; the rules score adds one point per "
        "red flag (bursts, new merchants, a new device or country with an unusual amount, a "
        "merchant seeing many cards) and is in `scripts/train.py`.",
        "",
        "## Reproduce",
        "",
        "```",
        f"scripts/train --data path/to/{t['data']} --out model-artifacts/{meta['name']}/"
        f"{meta['version']} --name {meta['name']} --version {meta['version']} "
        f"--seed {t['seed']} --epochs {t['epochs']} --target-precision {args.target_precision:g}",
        "```",
        "",
        f"with a data file whose sha256 is `{t['data_sha256']}`; `metadata.json` and the weights "
        "hash must come out identical (`sha256` in `metadata.json`, the hash of `model.pt`, only "
        "from the same checkout path).",
        "",
        "## Limitations",
        "",
        "- Trained on synthetic transactions from the rtml demo generator, not on real card data: "
        "the scores and metrics say how well the model learns the generator's fraud patterns, "
        "nothing about real fraud.",
        "- One hold-out split by time, no confidence intervals; with few positives in the hold-out "
        "set, precision and recall at the threshold are noisy.",
        "- Training weighs positives by pos_weight; the exported model removes that shift from its "
        "logits (a prior-shift correction), so scores approximate the fraud probability. They are "
        "not otherwise calibrated: decide with the threshold.",
        "- The model knows only the features listed above; a change to the feature spec needs a "
        "new model version.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="train", description="Train the fraud MLP and export a TorchScript artifact.")
    p.add_argument("--data", required=True, help="training CSV")
    p.add_argument("--out", help="output directory (created if missing); required to train")
    p.add_argument("--evaluate", metavar="MODEL_DIR",
                   help="instead of training: score every labelled row of --data with the model in"
                        " MODEL_DIR (model.pt, metadata.json) and print its PR-AUC, and precision"
                        " and recall at its threshold, as JSON")
    p.add_argument("--name", default="fraud", help="model name (default: fraud)")
    p.add_argument("--version", default="1", help="model version (default: 1)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    p.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS,
                   help=f"training epochs (default: {DEFAULT_EPOCHS})")
    p.add_argument("--target-precision", type=float, default=0.8,
                   help="hold-out precision the threshold must reach (default: 0.8)")
    args = p.parse_args(argv)
    # The names the job takes (ModelArtifact.plainName): one path element, nothing else.
    for option, value in (("--name", args.name), ("--version", args.version)):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}", value) or ".." in value:
            p.error(f"{option} must be 1 to 128 letters, digits, '.', '_' or '-', starting with a "
                    f"letter or digit, without '..'; got {value!r}")
    if args.out is None and args.evaluate is None:
        p.error("--out is required (or --evaluate MODEL_DIR)")
    if args.evaluate is not None and not os.path.isfile(os.path.join(args.evaluate, "metadata.json")):
        p.error(f"--evaluate {args.evaluate}: no metadata.json there")
    if args.epochs < 1:
        p.error(f"--epochs must be at least 1; got {args.epochs}")
    if not 0.0 < args.target_precision <= 1.0:
        p.error(f"--target-precision must be in (0, 1]; got {args.target_precision}")
    if not os.path.isfile(args.data):
        p.error(f"--data {args.data}: no such file")
    return args


def evaluate_model(args) -> int:
    """Scores the labelled rows of --data with an exported model, as the job would."""
    with open(os.path.join(args.evaluate, "metadata.json")) as f:
        meta = json.load(f)
    features, ids, _, X, y = read_training_csv(args.data)
    if features != meta["inputs"]:
        fail(f"{args.data}: its feature columns are not the inputs of {args.evaluate} "
             f"({meta['name']}/{meta['version']}) in order")
    model = torch.jit.load(os.path.join(args.evaluate, meta.get("file", "model.pt")))
    model.eval()
    with torch.no_grad():
        score = model(torch.tensor(X, dtype=torch.float32)).numpy()
    threshold = float(meta["threshold"])
    flagged = score >= threshold
    tp = int(np.sum(flagged & (y == 1)))
    result = {
        "model": f"{meta['name']}/{meta['version']}",
        "labelled": int(len(y)),
        "positives": int(y.sum()),
        "pr_auc": average_precision(y, score) if y.sum() > 0 else None,
        "precision": tp / int(flagged.sum()) if flagged.sum() > 0 else None,
        "recall": tp / int(y.sum()) if y.sum() > 0 else None,
    }
    print(json.dumps(result))
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.evaluate is not None:
        return evaluate_model(args)
    started = time.perf_counter()

    # determinism: one thread, deterministic kernels, every generator seeded
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    log(f"reading {args.data}")
    data_sha = sha256_file(args.data)
    features, ids, times, X, y = read_training_csv(args.data)
    n, n_features = X.shape
    if len(set(ids)) != n:
        log(f"warning: {n - len(set(ids))} duplicate event_id value(s); ties keep file order")
    log(f"{n} rows, {n_features} features, {int(y.sum())} positives ({y.mean():.3%})")

    # split by time: sort by (event_time, event_id); the latest 20 % is the hold-out set
    order = sorted(range(n), key=lambda i: (times[i], ids[i]))
    X, y = X[order], y[order]
    n_train = n - int(round(n * HOLDOUT_FRACTION))
    X_tr, y_tr, X_ho, y_ho = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    pos_tr, pos_ho = int(y_tr.sum()), int(y_ho.sum())
    if pos_tr == 0 or pos_tr == n_train:
        fail(f"the training split ({n_train} rows) has {pos_tr} positives; need both classes")
    if pos_ho == 0 or pos_ho == len(y_ho):
        fail(f"the hold-out split ({len(y_ho)} rows) has {pos_ho} positives; need both classes")
    log(f"train {n_train} rows ({pos_tr} positives), hold-out {len(y_ho)} rows ({pos_ho} "
        f"positives), hold-out starts at event_time {int(times[order[n_train]])}")

    # standardisation from the training split only; the rounded values are both baked into the
    # model and written to metadata.json, so the two agree
    mean = np.round(X_tr.mean(axis=0), DECIMALS)
    raw_std = X_tr.std(axis=0)
    # A feature constant in training (e.g. a hash bucket no training event fell in) is only
    # centred: dividing by a floored std would turn an unseen value into a huge input.
    std = np.round(np.where(raw_std < STD_FLOOR, 1.0, raw_std), DECIMALS)
    constant = [f for f, s in zip(features, raw_std) if s < STD_FLOOR]
    if constant:
        log(f"warning: constant in the training split: {', '.join(constant)}")

    torch.manual_seed(args.seed)  # the initial weights depend on the seed alone
    model = FraudMLP(torch.tensor(mean, dtype=torch.float32), torch.tensor(std, dtype=torch.float32))
    X_tr_t = torch.tensor(X_tr, dtype=torch.float32)
    y_tr_t = torch.tensor(y_tr, dtype=torch.float32)
    train_started = time.perf_counter()
    final_loss = train(model, X_tr_t, y_tr_t, args.epochs, args.seed)
    positives = float(y_tr.sum())
    model.logit_offset.fill_(-math.log((len(y_tr) - positives) / positives))
    train_seconds = time.perf_counter() - train_started

    # hold-out evaluation, on the raw rows through the full model (normalisation + sigmoid)
    X_ho_t = torch.tensor(X_ho, dtype=torch.float32)
    with torch.no_grad():
        prob_t = model(X_ho_t)
    prob = prob_t.numpy()
    pr_auc = average_precision(y_ho, prob)
    auc = roc_auc(y_ho, prob)
    threshold, precision, recall, rule = choose_threshold(y_ho, prob, args.target_precision)
    if not rule.startswith("max recall"):
        log(f"warning: {rule}; using the F1-optimal threshold")

    # baselines on the same hold-out set
    baselines = {}
    log("baseline: the same model on the event's own fields only")
    baselines["event_fields_only"] = train_event_only(features, X_tr, y_tr, X_ho, y_ho, args)
    rules = rules_score(features, X_ho)
    if rules is not None:
        baselines["rules"] = evaluate(y_ho, rules, args.target_precision)
    for name, result in baselines.items():
        log(f"baseline {name}: pr_auc {result['pr_auc']} recall {result['recall_at_threshold']} "
            f"at precision {result['precision_at_threshold']}")

    # export
    os.makedirs(args.out, exist_ok=True)
    model_path = os.path.join(args.out, "model.pt")
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(model), buffer)
    write_atomically(model_path, buffer.getvalue())
    file_sha = sha256_file(model_path)
    reloaded = torch.jit.load(model_path)
    with torch.no_grad():
        if not torch.equal(reloaded(X_ho_t), prob_t):
            fail(f"{model_path} does not reproduce the in-memory model's hold-out scores")
    w_sha = weights_sha256(model)
    if weights_sha256(reloaded) != w_sha:
        fail(f"{model_path}: reloaded weights differ from the trained ones")

    meta = {
        "name": args.name,
        "version": args.version,
        "format": "torchscript",
        "file": "model.pt",
        "sha256": file_sha,
        "inputs": features,
        "output": {
            "name": "fraud_probability",
            "description": "probability that the transaction is fraudulent",
            "min": 0.0,
            "max": 1.0,
        },
        "threshold": r6(threshold),
        "normalisation": {"mean": [r6(v) for v in mean], "std": [r6(v) for v in std]},
        "training": {
            "script": SCRIPT,
            "data": os.path.basename(args.data),
            "data_sha256": data_sha,
            "rows": n,
            "train_rows": n_train,
            "holdout_rows": n - n_train,
            "positives": int(y.sum()),
            "seed": args.seed,
            "epochs": args.epochs,
            "torch_version": torch.__version__,
            "weights_sha256": w_sha,
        },
        "metrics": {
            "holdout_pr_auc": r6(pr_auc),
            "holdout_roc_auc": r6(auc),
            "holdout_base_rate": r6(y_ho.mean()),
            "threshold_rule": rule,
            "precision_at_threshold": r6(precision),
            "recall_at_threshold": r6(recall),
        },
        "baselines": baselines,
        "drift_reference": drift_reference(features, X_tr),
    }
    write_atomically(os.path.join(args.out, "metadata.json"),
                     (json.dumps(meta, indent=2, allow_nan=False) + "\n").encode())
    write_atomically(os.path.join(args.out, "MODEL_CARD.md"),
                     model_card(meta, args, final_loss).encode())

    log(f"wrote {args.out}/model.pt, metadata.json, MODEL_CARD.md")
    m = meta["metrics"]
    log(f"done: {args.name} v{args.version} pr_auc {m['holdout_pr_auc']} roc_auc "
        f"{m['holdout_roc_auc']} base_rate {m['holdout_base_rate']} threshold {meta['threshold']} "
        f"precision {m['precision_at_threshold']} recall {m['recall_at_threshold']} "
        f"weights {w_sha[:12]} train {train_seconds:.1f}s total {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
