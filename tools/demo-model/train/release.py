"""Reading a checkpoint in the released Audio-Interaction layout into model.py's modules (float32)."""
import json
import os

import torch
import yaml

import model as M
import sftensors


def read_lm(dirname):
    idx = os.path.join(dirname, "model.safetensors.index.json")
    files = sorted(set(json.load(open(idx))["weight_map"].values())) if os.path.exists(idx) else \
        sorted(f for f in os.listdir(dirname) if f.endswith(".safetensors"))
    out = {}
    for f in files:
        t, _ = sftensors.read(os.path.join(dirname, f))
        out.update(t)
    return out


def load_release(dirname):
    """Returns (AudioTower, TextDecoder) in float32 from a full release folder (vocab rows = padded vocab)."""
    y = yaml.safe_load(open(os.path.join(dirname, "model_config.yaml")))
    a = json.load(open(os.path.join(dirname, "qwen25OmniConfig", "config.json")))["thinker_config"]["audio_config"]
    tower = M.AudioTower(a["num_mel_bins"], a["d_model"], a["encoder_layers"], a["encoder_attention_heads"],
                         a["encoder_ffn_dim"], a["output_dim"], a.get("max_source_positions", 1500))
    sd = torch.load(os.path.join(dirname, "audiointeraction_ChunkwisedEncoder.pth"), map_location="cpu")
    tower.load_state_dict({k: v.float() for k, v in sd.items()})
    lm = read_lm(dirname)
    rows = y["padded_vocab_size"]
    dec = M.TextDecoder(rows, y["n_embd"], y["n_layer"], y["n_head"], y["n_query_groups"], y["head_size"],
                        y["intermediate_size"], y["norm_eps"], float(y["rope_base"]))
    dec.load_state_dict({k: v.float() for k, v in lm.items()})
    return tower.eval(), dec.eval()
