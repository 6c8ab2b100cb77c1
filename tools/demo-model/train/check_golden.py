"""Proof that model.py computes SoundFlow's model: load the golden ai-tiny checkpoint (release layout) and
reproduce the independent float32 reference trace (chunk-local mel) within ~1e-4 relative.

    /usr/bin/python3 tools/demo-model/train/check_golden.py [/work/shared/golden/ai-tiny]
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devmel  # noqa: E402
import model as M  # noqa: E402
import sftensors  # noqa: E402
import release  # noqa: E402

torch.set_num_threads(1)
G = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/golden/ai-tiny"


def rel(a, b):
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


def main():
    tower, dec = release.load_release(os.path.join(G, "model"))
    ref, _ = sftensors.read(os.path.join(G, "trace-chunk-local.safetensors"))
    trace = json.load(open(os.path.join(G, "trace-chunk-local.json")))
    wav = devmel.read_wav(os.path.join(G, "clip-8s.wav"))
    mel = torch.from_numpy(devmel.chunk_local(wav))
    ok = True

    def check(name, got, want, tol):
        nonlocal ok
        r = rel(got, want) if tol < 1 else 0
        good = r <= tol
        ok &= good
        print(f"{'ok ' if good else 'BAD'} {name}: max rel diff {r:.2e} (tol {tol:g})")

    m0 = ref["mel_chunk0"].float()
    d = float((mel[0] - m0).abs().max())
    print(f"{'ok ' if d < 1e-4 else 'BAD'} mel_chunk0 (numpy dev mel): max abs diff {d:.2e}")
    ok &= d < 1e-4
    with torch.no_grad():
        conv, layers, pooled, out = tower.stages(m0[None])
        check("enc_conv_chunk0", conv[0], ref["enc_conv_chunk0"], 1e-4)
        check("enc_layers_chunk0", layers[0], ref["enc_layers_chunk0"], 1e-4)
        check("enc_pool_ln_chunk0", pooled[0], ref["enc_pool_ln_chunk0"], 1e-4)
        check("audio_chunk0", out[0], ref["audio_chunk0"], 1e-4)
        audio = tower(mel)                                   # [20, 10, d]
        fed = ref["fed_tokens"].long()
        assert fed.tolist() == trace["fed_tokens"]
        assert ref["prefix_ids"].tolist() == fed[: len(trace["prefix_ids"])].tolist()
        mask = fed == 151608
        assert int(mask.sum()) == audio.shape[0] * 10
        x = dec.embed(fed[None], mask[None], audio.reshape(-1, audio.shape[-1]))
        h = dec.hidden(x)[0]
        logits = dec.logits(h)
        asst = [c["positions"][1] for c in trace["chunks"]]
        assert all(int(fed[p]) == 151602 for p in asst)
        check("decision_hidden (chunks 0-2)", h[asst[:3]], ref["decision_hidden"], 1e-4)
        check("decision_logits (chunks 0-2)", logits[asst[:3]], ref["decision_logits"], 1e-4)
        # the whole greedy loop, teacher-forced over the trace's fed tokens: every decision and reply id
        letters = ""
        replies_ok = True
        margin = float("inf")
        for c in trace["chunks"]:
            p = c["positions"][1]
            z = logits[p]
            top = torch.topk(z, 2)
            margin = min(margin, float(top.values[0] - top.values[1]))
            dec_id = int(torch.argmax(z))
            letters += "R" if dec_id == 151644 else ("s" if dec_id == 151605 else "?")
            if dec_id == 151644:
                got = []
                q = p + 1
                while True:
                    t = int(torch.argmax(logits[q]))
                    got.append(t)
                    if t == 151643 or q + 1 >= len(fed):
                        break
                    q += 1
                replies_ok &= got == c["reply"]
        good = letters == trace["decisions"] and replies_ok
        ok &= good
        print(f"{'ok ' if good else 'BAD'} decisions {letters} (reference {trace['decisions']}), replies "
              f"{'equal' if replies_ok else 'DIFFER'}, smallest decision top-2 margin {margin:.3f} "
              f"(reference, over decisions and replies: {trace['min_top1_top2_margin']:.3f})")
    print("GOLDEN CHECK PASSED" if ok else "GOLDEN CHECK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
