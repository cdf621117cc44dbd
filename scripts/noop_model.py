#!/usr/bin/python3
"""Export the no-op model: the shipped feature spec's inputs in, zeros out.

    /usr/bin/python3 scripts/noop_model.py [--spec FILE] [--out model-artifacts/noop/1]

It is the model scripts/bench runs the job with to measure everything but inference: it takes
the same float32[B, F] rows as the fraud model (F = the columns of the feature spec, in order)
and returns float32[B] zeros, so every prediction is "pass". metadata.json lists the inputs
exactly as the job expects them (it refuses a model whose inputs differ from the spec's columns)
and the sha256 of model.pt (it refuses a model file with another one).

Needs Debian's python3-torch and python3-yaml, run by Debian's /usr/bin/python3 (scripts/noop-model
installs them when missing). Deterministic: MODEL_CARD.md comes out byte-identical; model.pt, and
so metadata.json with its sha256, do too when made from the same checkout path (TorchScript
records the path of this file in its debug info).
"""

import argparse
import hashlib
import io
import json
import os
import sys

if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"  # torch.jit.save's constant order follows it
    os.execv(sys.executable, [sys.executable, *sys.argv])

import torch
import yaml
from torch import Tensor, nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SPEC = os.path.join(ROOT, "job/src/main/resources/feature-specs/fraud.yaml")
DEFAULT_OUT = os.path.join(ROOT, "model-artifacts/noop/1")


def columns(spec: dict) -> list:
    """The feature vector's columns, as io.rtml.features.spec.EventFeature and AggregateFeature
    name them: one-hot name_<value>, hash buckets name_<i>, times name_sin and name_cos, any
    other feature its own name."""
    out = []
    for feature in spec["features"]:
        name = feature["name"]
        if "one-hot" in feature:
            out += [f"{name}_{value}" for value in feature["one-hot"]]
        elif "hash-buckets" in feature:
            out += [f"{name}_{i}" for i in range(int(feature["hash-buckets"]))]
        elif "time" in feature:
            out += [f"{name}_sin", f"{name}_cos"]
        else:
            out.append(name)
    return out


class Noop(nn.Module):
    """float32[B, F] in, float32[B] zeros out; F is checked so a wrong vector still fails."""

    def __init__(self, inputs: int):
        super().__init__()
        self.inputs = inputs

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.size(1) != self.inputs:
            raise ValueError("expected float32[B, " + str(self.inputs) + "]")
        return torch.zeros(x.size(0), dtype=torch.float32)


def model_card(meta: dict) -> str:
    return "\n".join([
        f"# Model card: {meta['name']} v{meta['version']}",
        "",
        "A no-op model for benchmarks: it takes the feature vector of spec "
        f"`{meta['training']['spec']}` ({len(meta['inputs'])} columns, listed in `metadata.json`) "
        "and scores every row 0, so every decision is `pass`.",
        "",
        "`scripts/bench` runs the job with it (`-D model.name=noop -D model.version=1`) to measure "
        "the pipeline without inference: the difference to the job with the fraud model is the "
        "cost of scoring.",
        "",
        "Made with `scripts/noop-model` (Debian's python3-torch "
        f"{meta['training']['torch_version']}); not trained, not for decisions.",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(prog="noop-model", description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", default=DEFAULT_SPEC, help="feature spec YAML")
    parser.add_argument("--out", default=DEFAULT_OUT, help="artifact directory")
    args = parser.parse_args()

    with open(args.spec, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    inputs = columns(spec)

    model = torch.jit.script(Noop(len(inputs)))
    check = model(torch.ones(3, len(inputs)))
    if check.shape != (3,) or bool(check.any()):
        print("noop-model: the scripted model does not return zeros", file=sys.stderr)
        return 1

    os.makedirs(args.out, exist_ok=True)
    buffer = io.BytesIO()
    torch.jit.save(model, buffer)
    with open(os.path.join(args.out, "model.pt"), "wb") as f:
        f.write(buffer.getvalue())

    meta = {
        "name": "noop",
        "version": os.path.basename(os.path.normpath(args.out)),
        "format": "torchscript",
        "file": "model.pt",
        "sha256": hashlib.sha256(buffer.getvalue()).hexdigest(),
        "inputs": inputs,
        "output": {
            "name": "zero",
            "description": "always 0: a no-op model that measures the pipeline without inference",
            "min": 0.0,
            "max": 0.0,
        },
        "threshold": 0.5,
        "training": {
            "script": "scripts/noop_model.py",
            "spec": f"{spec['name']}-v{spec['version']}",
            "torch_version": torch.__version__,
        },
    }
    with open(os.path.join(args.out, "metadata.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(meta, indent=2) + "\n")
    with open(os.path.join(args.out, "MODEL_CARD.md"), "w", encoding="utf-8") as f:
        f.write(model_card(meta))
    print(f"noop-model: wrote {args.out}/model.pt, metadata.json, MODEL_CARD.md "
          f"({len(inputs)} inputs of {meta['training']['spec']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
