"""Scores the EXPORTED compact model (BF16 weights, float32 compute) in PyTorch on held-out manifests with the
engine's greedy loop, adds the results to train-report.json, writes reference-trace.json and SHA256SUMS.

    /usr/bin/python3 tools/demo-model/train/evaluate.py --model tools/demo-model/model \
        --set synth=/work/data/heldout-synth/manifest.jsonl --set real=/work/data/heldout-real/manifest.jsonl \
        --set quiet=/work/data/heldout-quiet/manifest.jsonl --reference synth

Mel features are read from next to each WAV (<audio>.mel, written by `./soundflow features`) unless
--mel-root NAME=DIR says otherwise.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import export as X  # noqa: E402
import stream_eval as E  # noqa: E402
import train as TR  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--set", action="append", default=[], help="NAME=manifest.jsonl")
    ap.add_argument("--mel-root", action="append", default=[], help="NAME=DIR (default: the manifest's folder)")
    ap.add_argument("--reference", help="the set whose first streams go to reference-trace.json")
    ap.add_argument("--reference-streams", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    roots = dict(s.split("=", 1) for s in a.mel_root)
    tower, dec = X.load_compact(a.model)
    rp = os.path.join(a.model, "train-report.json")
    report = json.load(open(rp)) if os.path.exists(rp) else {}
    report.setdefault("heldout", {})
    for spec in a.set:
        name, path = spec.split("=", 1)
        streams = D.read_manifest(path, roots.get(name, os.path.dirname(os.path.abspath(path))))
        t0 = time.time()
        res, pairs = TR.evaluate(tower, dec, streams)
        res = {"manifest": os.path.abspath(path), "manifest_sha256": TR.sha256(path),
               "weights": "exported BF16 (this folder), float32 compute",
               "loop": "greedy, one-by-one, lockstep, RESET at 1024 positions", **res,
               "eval_seconds": round(time.time() - t0, 1)}
        report["heldout"][name] = res
        print(name, json.dumps(res, indent=1), flush=True)
        if name == a.reference:
            X.write_reference(a.model, streams, pairs, a.reference_streams, path)
    with open(rp, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    X.write_sums(a.model)


if __name__ == "__main__":
    main()
