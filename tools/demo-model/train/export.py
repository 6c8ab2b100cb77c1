"""Writes the compact committed model and reads it back.

Files (tools/demo-model/model/):
- model_config.yaml: litgpt fields as in the release (padded_vocab_size 151936, vocab_size 151643, block 1024);
- qwen25OmniConfig/config.json: the audio config in the release's format;
- audiointeraction_ChunkwisedEncoder.pth: torch.save of the tower state dict, BF16, the names AudioTowerLoader
  reads (proj = the adapter);
- lm.safetensors: BF16 litgpt tensors; transformer.wte.weight [U, d] and lm_head.weight [U + 1, d] hold only
  the used ids' rows (in the order of the I32 tensor soundflow.vocab_ids [U]); lm_head's last row is the
  shared rest row. Expanded to the release layout: every unused lm_head row = the rest row, every unused
  embedding row = 0; the expanded model's full-vocabulary softmax equals the trained one.
- SHA256SUMS.
BF16 is round-to-nearest-even (torch's .to(torch.bfloat16)).
"""
import hashlib
import json
import os

import torch
import yaml

import model as M
import sftensors
import tokens as T

LM_FILE = "lm.safetensors"
TOWER_FILE = "audiointeraction_ChunkwisedEncoder.pth"


def litgpt_config(dec, name):
    c = dec.cfg
    return {
        "attention_logit_softcapping": None, "attention_scores_scalar": None, "attn_bias": True, "bias": False,
        "block_size": 1024, "final_logit_softcapping": None, "gelu_approximate": "none", "head_size": c["hd"],
        "hf_config": {"name": "Qwen2.5-3B", "org": "Qwen"}, "intermediate_size": c["f"], "lm_head_bias": False,
        "mlp_class_name": "LLaMAMLP", "n_embd": c["d"], "n_expert": 0, "n_expert_per_token": 0,
        "n_head": c["heads"], "n_layer": c["layers"], "n_query_groups": c["groups"], "name": name,
        "norm_class_name": "RMSNorm", "norm_eps": c["eps"], "norm_qk": False, "padded_vocab_size": T.PADDED_VOCAB,
        "padding_multiple": 512, "parallel_residual": False, "post_attention_norm": False, "post_mlp_norm": False,
        "rope_adjustments": None, "rope_base": int(c["theta"]), "rope_condense_ratio": 1, "rotary_percentage": 1.0,
        "scale_embeddings": False, "shared_attention_norm": False, "sliding_window_layer_placing": None,
        "sliding_window_size": None, "vocab_size": T.VOCAB_SIZE,
    }


def omni_config(tower, dec):
    t, c = tower.cfg, dec.cfg
    return {
        "architectures": ["Qwen2_5OmniModel"], "model_type": "qwen2_5_omni", "enable_audio_output": False,
        "thinker_config": {
            "model_type": "qwen2_5_omni_thinker", "audio_token_index": 151646, "audio_start_token_id": 151647,
            "audio_end_token_id": 151648, "position_id_per_seconds": 25, "seconds_per_chunk": 2,
            "audio_config": {
                "model_type": "qwen2_5_omni_audio_encoder", "num_mel_bins": t["mel_bins"],
                "encoder_layers": t["layers"], "encoder_attention_heads": t["heads"], "encoder_ffn_dim": t["ffn"],
                "d_model": t["d"], "dropout": 0.0, "attention_dropout": 0.0, "activation_function": "gelu",
                "activation_dropout": 0.0, "scale_embedding": False, "initializer_range": 0.02,
                "max_source_positions": t["max_positions"], "n_window": 100, "output_dim": t["out_dim"]},
            "text_config": {
                "model_type": "qwen2_5_omni_text", "hidden_size": c["d"], "intermediate_size": c["f"],
                "num_hidden_layers": c["layers"], "num_attention_heads": c["heads"],
                "num_key_value_heads": c["groups"], "rms_norm_eps": c["eps"], "rope_theta": float(c["theta"]),
                "vocab_size": T.PADDED_VOCAB, "max_position_embeddings": 1024, "tie_word_embeddings": False}},
    }


def export(tower, dec, args, out):
    os.makedirs(os.path.join(out, "qwen25OmniConfig"), exist_ok=True)
    name = getattr(args, "name", "soundflow-demo-listener")
    with open(os.path.join(out, "model_config.yaml"), "w") as f:
        yaml.safe_dump(litgpt_config(dec, name), f, sort_keys=True)
    with open(os.path.join(out, "qwen25OmniConfig", "config.json"), "w") as f:
        json.dump(omni_config(tower, dec), f, indent=2)
        f.write("\n")
    sd = {k: v.detach().to(torch.bfloat16).contiguous().clone() for k, v in tower.state_dict().items()}
    torch.save(sd, os.path.join(out, TOWER_FILE))
    lm = {k: v.detach().to(torch.bfloat16).contiguous().clone() for k, v in sorted(dec.state_dict().items())}
    lm["soundflow.vocab_ids"] = torch.tensor(T.USED_IDS, dtype=torch.int32)
    sftensors.write(os.path.join(out, LM_FILE), lm, {
        "format": "soundflow compact Audio-Interaction LM",
        "rows": "transformer.wte.weight and lm_head.weight rows i < U are the ids soundflow.vocab_ids[i]; "
                "lm_head.weight row U is the shared row of every other id (embedding rows of other ids are 0)",
        "padded_vocab_size": str(T.PADDED_VOCAB)})


def load_compact(out):
    """(tower, decoder) from the compact files, weights BF16-exact in float32."""
    y = yaml.safe_load(open(os.path.join(out, "model_config.yaml")))
    a = json.load(open(os.path.join(out, "qwen25OmniConfig", "config.json")))["thinker_config"]["audio_config"]
    tower = M.AudioTower(a["num_mel_bins"], a["d_model"], a["encoder_layers"], a["encoder_attention_heads"],
                         a["encoder_ffn_dim"], a["output_dim"], a["max_source_positions"])
    sd = torch.load(os.path.join(out, TOWER_FILE), map_location="cpu")
    tower.load_state_dict({k: v.float() for k, v in sd.items()})
    lm, _ = sftensors.read(os.path.join(out, LM_FILE))
    ids = lm.pop("soundflow.vocab_ids").tolist()
    assert ids == T.USED_IDS, "vocab_ids differ from tokens.USED_IDS"
    dec = M.TextDecoder(len(ids), y["n_embd"], y["n_layer"], y["n_head"], y["n_query_groups"], y["head_size"],
                        y["intermediate_size"], y["norm_eps"], float(y["rope_base"]), head_rows=len(ids) + 1,
                        rest_count=y["padded_vocab_size"] - len(ids))
    dec.load_state_dict({k: v.float() for k, v in lm.items()})
    return tower.eval(), dec.eval()


def write_reference(out, streams, pairs, count, manifest):
    """reference-trace.json: the greedy decisions of the first `count` held-out streams (exported BF16
    weights, float32 compute, the mel files given to training) for the Java differential test."""
    ref = {"weights": "exported BF16 (this folder), float32 compute", "loop":
           "greedy one-by-one, lockstep, RESET to the prefix when a listening forward would pass 1024 positions",
           "argmax": "full vocabulary, ties to the lowest id", "prefix_ids": T.PREFIX, "manifest": manifest,
           "streams": []}
    for st, (rec, res) in list(zip(streams, pairs))[:count]:
        ref["streams"].append({
            "audio": rec["audio"], "chunks": len(res),
            "decisions": "".join("R" if r["decision"] == T.TEXT_BEGIN else ("s" if r["decision"] == T.SILENT else "?")
                                 for r in res),
            "per_chunk": [{"chunk": r["chunk"], "decision": r["decision"], "reply": r["reply"],
                           "reply_text": T.decode(r["reply"][1:-1]) if r["reply"] else "",
                           "margin": round(r["margin"], 5), "reset_before": r["reset"]} for r in res],
            "min_margin": round(min(r["margin"] for r in res), 5)})
    with open(os.path.join(out, "reference-trace.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")


def write_sums(out):
    lines = []
    for root, _, files in os.walk(out):
        for fn in sorted(files):
            if fn == "SHA256SUMS":
                continue
            p = os.path.join(root, fn)
            h = hashlib.sha256(open(p, "rb").read()).hexdigest()
            lines.append(f"{h}  {os.path.relpath(p, out)}")
    with open(os.path.join(out, "SHA256SUMS"), "w") as f:
        f.write("\n".join(sorted(lines, key=lambda l: l.split('  ')[1])) + "\n")
