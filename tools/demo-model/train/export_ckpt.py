"""Exports a training checkpoint (OUT/ckpt.pt, float32) as the compact model, for a run stopped early.

    /usr/bin/python3 tools/demo-model/train/export_ckpt.py CKPT OUT_DIR [train.py size flags...]
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export as X  # noqa: E402
import train as TR  # noqa: E402


def main():
    ck, out = sys.argv[1], sys.argv[2]
    sys.argv = [sys.argv[0], "--manifest", "-", "--mel-dir", "-", "--out", out] + sys.argv[3:]
    a = TR.parse_args()
    state = torch.load(ck, map_location="cpu")
    tower, dec = TR.build_models(a)
    tower.load_state_dict(state["tower"])
    dec.load_state_dict(state["dec"])
    os.makedirs(out, exist_ok=True)
    X.export(tower, dec, a, out)
    print("exported step", state["step"], "to", out)


if __name__ == "__main__":
    main()
