"""Expands the compact model to the full release layout (a check tool: the Java demo writer does this for
the demo folder): every unused lm_head row = the rest row, every unused embedding row = 0, single
model.safetensors + index, the .pth and configs copied, plus a tokenizer.json if given.

    /usr/bin/python3 tools/demo-model/train/expand.py COMPACT_DIR OUT_DIR [tokenizer.json]
"""
import json
import os
import shutil
import sys

import torch
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sftensors  # noqa: E402


def main(src, out, tok=None):
    os.makedirs(os.path.join(out, "qwen25OmniConfig"), exist_ok=True)
    for f in ["model_config.yaml", "qwen25OmniConfig/config.json", "audiointeraction_ChunkwisedEncoder.pth"]:
        shutil.copyfile(os.path.join(src, f), os.path.join(out, f))
    if tok:
        shutil.copyfile(tok, os.path.join(out, "tokenizer.json"))
    y = yaml.safe_load(open(os.path.join(src, "model_config.yaml")))
    v = y["padded_vocab_size"]
    lm, _ = sftensors.read(os.path.join(src, "lm.safetensors"))
    ids = lm.pop("soundflow.vocab_ids").long()
    wte, head = lm["transformer.wte.weight"], lm["lm_head.weight"]
    d = wte.shape[1]
    full_wte = torch.zeros(v, d, dtype=wte.dtype)
    full_wte[ids] = wte
    full_head = head[-1:].repeat(v, 1)
    full_head[ids] = head[:-1]
    lm["transformer.wte.weight"] = full_wte
    lm["lm_head.weight"] = full_head
    sftensors.write(os.path.join(out, "model.safetensors"), lm, {"format": "pt"})
    json.dump({"metadata": {}, "weight_map": {k: "model.safetensors" for k in lm}},
              open(os.path.join(out, "model.safetensors.index.json"), "w"), indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
