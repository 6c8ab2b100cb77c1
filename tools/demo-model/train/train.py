"""Trains the SoundFlow demo listener (Audio-Interaction architecture, tiny) and exports the compact model.

    /usr/bin/python3 tools/demo-model/train/train.py --manifest /work/data/train/manifest.jsonl \
        --mel-dir /work/data/train-mel --heldout /work/data/heldout-synth/manifest.jsonl \
        --heldout-mel-dir /work/data/heldout-synth-mel --out tools/demo-model/model

Teacher-forced over whole windows (prefix + up to 1024 tokens of chunk blocks and decisions) with a causal
mask. Loss (paper, section 3.3): mean over the supervised tokens of CE(text tokens) + lambda * CE(control
tokens); control = the decision after each ASSISTANT (<silent> / <response>), text = the emotion tag, the
reply bytes and TEXT_END. Softmax over the full 151,936 ids: U real rows and one shared rest row whose
logit enters as rest.h + log(151936 - U).
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import export as X  # noqa: E402
import model as M  # noqa: E402
import stream_eval as E  # noqa: E402
import tokens as T  # noqa: E402


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def init_weights(module, layers, conv_std=0.1):
    for name, p in module.named_parameters():
        if name.endswith("bias"):
            torch.nn.init.zeros_(p)
        elif "norm" in name or "ln_" in name:
            torch.nn.init.ones_(p)
        elif "conv" in name:
            # larger than torch's default: the per-window sinusoid positions (std ~0.55) must not drown
            # the content (with the default init the conv stem's output had std 0.05 and the audio vectors
            # of different chunks differed by ~6%; a 750-step run then never learnt to respond)
            torch.nn.init.normal_(p, 0.0, conv_std)
        elif p.dim() >= 2:
            std = 0.02
            if name.endswith("attn.proj.weight") or name.endswith("mlp.proj.weight") \
                    or name.endswith("out_proj.weight") or name.endswith("fc2.weight"):
                std = 0.02 / math.sqrt(2 * layers)
            torch.nn.init.normal_(p, 0.0, std)


def build_models(a):
    tower = M.AudioTower(128, a.audio_d, a.audio_layers, a.audio_heads, a.audio_ffn, a.text_d)
    dec = M.TextDecoder(len(T.USED_IDS), a.text_d, a.text_layers, a.text_heads, a.text_groups, a.text_d // a.text_heads,
                        a.text_ffn, 1e-6, 1e6, head_rows=len(T.USED_IDS) + 1, rest_count=T.REST_COUNT)
    return tower, dec


AUX_CLASSES = [""]  # filled from the training manifest


def batch_tensors(items):
    """items: list of (stream, s, e, rows, tgt, w, mask) -> padded tensors and the concatenated mel."""
    L = max(len(it[3]) for it in items)
    B = len(items)
    ids = torch.zeros(B, L, dtype=torch.long)
    tgt = torch.full((B, L), -100, dtype=torch.long)
    w = torch.zeros(B, L)
    mask = torch.zeros(B, L, dtype=torch.bool)
    mels = []
    aux = []
    for b, (st, s, e, rows, tg, ww, mk) in enumerate(items):
        aux += [AUX_CLASSES.index(c) if c in AUX_CLASSES else 0 for c in st.chunk_class[s:e]]
        n = len(rows)
        ids[b, :n] = torch.tensor(rows)
        tgt[b, :n] = torch.tensor(tg)
        w[b, :n] = torch.tensor(ww)
        mask[b, :n] = torch.tensor(mk)
        mels.append(np.asarray(st.mel[s:e]))
    return ids, tgt, w, mask, torch.from_numpy(np.concatenate(mels)), torch.tensor(aux, dtype=torch.long)


def loss_of(tower, dec, batch, aux_head=None, aux_weight=0.0):
    ids, tgt, w, mask, mel, aux_y = batch
    a3 = tower(mel)
    audio = a3.reshape(-1, dec.cfg["d"])
    x = dec.embed(ids, mask, audio)
    h = dec.hidden(x)
    sel = tgt >= 0
    z = dec.loss_logits(h[sel])
    ce = F.cross_entropy(z, tgt[sel], reduction="none")
    ws = w[sel]
    loss = (ce * ws).sum() / sel.sum()
    aux_ce = torch.zeros(())
    if aux_head is not None and aux_weight > 0:
        aux_ce = F.cross_entropy(aux_head(a3.mean(dim=1)), aux_y)
        loss = loss + aux_weight * aux_ce
    # diagnostics: decision accuracy and response-decision recall at the supervised ASSISTANT positions
    ctrl = (ids == T.ROW[T.ASSISTANT])[sel]
    pred = z.argmax(-1)
    t = tgt[sel]
    resp = ctrl & (t == T.ROW[T.TEXT_BEGIN])
    stats = {
        "ctrl_ce": float(ce[ctrl].mean()) if ctrl.any() else 0.0,
        "text_ce": float(ce[~ctrl].mean()) if (~ctrl).any() else 0.0,
        "ctrl_acc": float((pred[ctrl] == t[ctrl]).float().mean()) if ctrl.any() else 0.0,
        "resp_recall": float((pred[resp] == t[resp]).float().mean()) if resp.any() else float("nan"),
        "n_resp": int(resp.sum()),
        "aux_ce": float(aux_ce),
    }
    return loss, stats


def sample_items(streams, rng, batch, control_weight, respond_weight=1.0):
    items = []
    for _ in range(batch):
        st = streams[rng.randint(len(streams))]
        s = st.starts[rng.randint(len(st.starts))]
        e = st.window(s)
        rows, tgt, w, mask = D.build_sequence(st, s, e, control_weight, respond_weight)
        items.append((st, s, e, rows, tgt, w, mask))
    return items


_EVENT_POOLS = {}  # (id of the stream list, negative classes) -> (streams with respond events, with negatives)


def sample_event_items(streams, rng, batch, control_weight, respond_weight=1.0, negative_share=0.0,
                       negative_classes=("speech", "music")):
    """Short windows that end 0-5 chunks after a respond event's target chunk and start 0-10 chunks before
    it (never inside a respond event): ~10x more <response> decisions per token than whole windows. A share
    `negative_share` of them is centred instead on a chunk of a hard ignore event (`negative_classes`: plain
    speech, music), where the answer is <silent>: the near misses of "help" and "hello"."""
    items = []
    key = (id(streams), negative_classes)
    if key not in _EVENT_POOLS:  # the same lists for every step of a run
        _EVENT_POOLS[key] = ([st for st in streams if any(l is not None for l in st.labels)],
                             [st for st in streams if any(k in negative_classes for k in st.chunk_class)])
    pool, negatives = _EVENT_POOLS[key]
    for _ in range(batch):
        if negatives and rng.rand() < negative_share:
            st = negatives[rng.randint(len(negatives))]
            targets = [c for c, k in enumerate(st.chunk_class) if k in negative_classes]
        else:
            st = pool[rng.randint(len(pool))]
            targets = [c for c, l in enumerate(st.labels) if l is not None]
        c = targets[rng.randint(len(targets))]
        starts = [s for s in st.starts if c - 10 <= s <= c]
        s = starts[rng.randint(len(starts))] if starts else st.starts[0]
        e = min(st.window(s), c + 1 + rng.randint(0, 6))
        rows, tgt, w, mask = D.build_sequence(st, s, e, control_weight, respond_weight)
        items.append((st, s, e, rows, tgt, w, mask))
    return items


def evaluate(tower, dec, streams, limit=None):
    comp = E.Compact(dec)
    pairs = []
    for st in streams[:limit]:
        pairs.append((st.rec, E.run_stream(tower, comp, st.mel)))
    return E.score(pairs), pairs


def parse_args(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--mel-dir", required=True, help="DIR/<audio path>.mel: raw float32 [chunks,128,40]")
    ap.add_argument("--heldout", help="held-out manifest (scored in PyTorch with the exported BF16 weights)")
    ap.add_argument("--heldout-mel-dir")
    ap.add_argument("--out", required=True, help="folder of the compact model")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr-ratio", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=60)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--control-weight", type=float, default=1.0, help="lambda of the control-token term")
    ap.add_argument("--respond-weight", type=float, default=1.0,
                    help="extra factor on the control term of a <response> decision (1 = the paper's loss); "
                         "<response> is ~3%% of the decisions")
    ap.add_argument("--aux-weight", type=float, default=0.0,
                    help="weight of an auxiliary encoder loss: CE of the chunk's event class from the mean of its "
                         "10 audio vectors through a throwaway linear head (not exported)")
    ap.add_argument("--event-batch-prob", type=float, default=0.0,
                    help="probability that a step's batch is made of short windows around respond events")
    ap.add_argument("--event-batch", type=int, default=8, help="windows in such a batch")
    ap.add_argument("--negative-classes", type=lambda v: tuple(v.split(",")), default=("speech", "music"),
                    help="comma-separated ignore classes the negative windows are centred on (default speech,music)")
    ap.add_argument("--negative-share", type=float, default=0.0,
                    help="share of an event batch's windows centred on a --negative-classes chunk (hard <silent> cases)")
    ap.add_argument("--conv-init-std", type=float, default=0.1)
    ap.add_argument("--init", help="start from this compact model folder (a fine-tune: its shapes must match)")
    ap.add_argument("--ckpt-every", type=int, default=250, help="float32 checkpoint to OUT/ckpt.pt")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--audio-d", type=int, default=128)
    ap.add_argument("--audio-layers", type=int, default=3)
    ap.add_argument("--audio-heads", type=int, default=4)
    ap.add_argument("--audio-ffn", type=int, default=512)
    ap.add_argument("--text-d", type=int, default=256)
    ap.add_argument("--text-layers", type=int, default=3)
    ap.add_argument("--text-heads", type=int, default=4)
    ap.add_argument("--text-groups", type=int, default=2)
    ap.add_argument("--text-ffn", type=int, default=640)
    ap.add_argument("--log-every", type=int, default=20)
    ap.add_argument("--heldout-limit", type=int, default=None)
    ap.add_argument("--reference-streams", type=int, default=2)
    ap.add_argument("--name", default="soundflow-demo-listener")
    return ap.parse_args(argv)


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True)
    rng = np.random.RandomState(a.seed)

    streams = D.read_manifest(a.manifest, a.mel_dir)
    n_chunks = sum(s.chunks for s in streams)
    n_resp = sum(sum(l is not None for l in s.labels) for s in streams)
    coll = sum(s.collisions for s in streams)
    print(f"train: {len(streams)} streams, {n_chunks} chunks ({n_chunks * 0.4 / 3600:.2f} h), "
          f"{n_resp} response targets, {coll} respond events sharing a chunk (dropped)", flush=True)

    tower, dec = build_models(a)
    init_weights(tower, a.audio_layers, a.conv_init_std)
    init_weights(dec, a.text_layers)
    if a.init:   # fine-tune: the weights of an exported model (BF16-exact), the aux head fresh
        t0_, d0_ = X.load_compact(a.init)
        tower.load_state_dict(t0_.state_dict())
        dec.load_state_dict(d0_.state_dict())
        print(f"init from {a.init}", flush=True)
    global AUX_CLASSES
    AUX_CLASSES = [""] + sorted({c for st in streams for c in st.chunk_class if c})
    aux_head = torch.nn.Linear(a.text_d, len(AUX_CLASSES)) if a.aux_weight > 0 else None
    params = [p for p in list(tower.parameters()) + list(dec.parameters()) if p.requires_grad]
    if aux_head is not None:
        params += list(aux_head.parameters())
    n_params = sum(p.numel() for p in params)
    print(f"parameters: {n_params / 1e6:.2f} M (tower {sum(p.numel() for p in tower.parameters()) / 1e6:.2f} M)",
          flush=True)
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.95), eps=1e-8)

    def lr_at(step):
        if step < a.warmup:
            return a.lr * (step + 1) / a.warmup
        p = (step - a.warmup) / max(1, a.steps - a.warmup)
        return a.lr * (a.min_lr_ratio + (1 - a.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * p)))

    t0 = time.time()
    hist = []
    agg = {}
    tokens_seen = 0
    for step in range(a.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        if a.event_batch_prob > 0 and rng.rand() < a.event_batch_prob:
            items = sample_event_items(streams, rng, a.event_batch, a.control_weight, a.respond_weight, a.negative_share,
                                       a.negative_classes)
        else:
            items = sample_items(streams, rng, a.batch, a.control_weight, a.respond_weight)
        batch = batch_tensors(items)
        tokens_seen += int(sum(len(it[3]) for it in items))
        tower.train()
        dec.train()
        loss, st = loss_of(tower, dec, batch, aux_head, a.aux_weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        st["loss"] = float(loss)
        st["gnorm"] = float(gn)
        for k, v in st.items():
            if not (isinstance(v, float) and math.isnan(v)):
                agg.setdefault(k, []).append(v)
        if (step + 1) % a.log_every == 0 or step + 1 == a.steps:
            m = {k: float(np.mean(v)) for k, v in agg.items()}
            el = time.time() - t0
            print(f"step {step + 1}/{a.steps} lr {lr_at(step):.2e} loss {m['loss']:.4f} ctrl_ce {m['ctrl_ce']:.4f} "
                  f"text_ce {m['text_ce']:.4f} aux_ce {m['aux_ce']:.3f} ctrl_acc {m['ctrl_acc']:.4f} resp_recall {m.get('resp_recall', 0):.3f} "
                  f"gnorm {m['gnorm']:.2f} | {el:.0f}s, {tokens_seen / el:.0f} tok/s, "
                  f"eta {el / (step + 1) * (a.steps - step - 1):.0f}s", flush=True)
            hist.append({"step": step + 1, **{k: round(v, 5) for k, v in m.items()}})
            agg = {}
        if a.ckpt_every and (step + 1) % a.ckpt_every == 0:
            os.makedirs(a.out, exist_ok=True)
            torch.save({"step": step + 1, "tower": tower.state_dict(), "dec": dec.state_dict()},
                       os.path.join(a.out, "ckpt.pt.tmp"))
            os.replace(os.path.join(a.out, "ckpt.pt.tmp"), os.path.join(a.out, "ckpt.pt"))
    train_s = time.time() - t0
    print(f"training done in {train_s:.0f}s", flush=True)

    os.makedirs(a.out, exist_ok=True)
    X.export(tower, dec, a, a.out)
    tower_b, dec_b = X.load_compact(a.out)   # the exported BF16 weights, computed in float32
    report = {
        "name": a.name,
        "seed": a.seed,
        "command": " ".join(sys.argv),
        "torch": torch.__version__,
        "threads": a.threads,
        "data": {"manifest": os.path.abspath(a.manifest), "manifest_sha256": sha256(a.manifest),
                 "streams": len(streams), "chunks": n_chunks, "response_targets": n_resp},
        "hyper": {k: v for k, v in vars(a).items() if k not in ("manifest", "mel_dir", "heldout", "heldout_mel_dir",
                                                                  "out")},
        "loss": "mean over supervised tokens of CE(text) + lambda * CE(control); control = decision tokens "
                "(<silent>/<response>) at the ASSISTANT positions, a <response> decision's term multiplied by "
                "respond_weight; text = emotion, reply bytes, TEXT_END; "
                "softmax over all 151936 ids via one shared rest row (+ log(151936 - U))",
        "parameters": n_params,
        "steps": a.steps,
        "train_seconds": round(train_s, 1),
        "tokens_seen": tokens_seen,
        "final_loss": hist[-1] if hist else None,
        "history": hist,
    }
    if a.heldout:
        held = D.read_manifest(a.heldout, a.heldout_mel_dir)
        t1 = time.time()
        res, pairs = evaluate(tower_b, dec_b, held, a.heldout_limit)
        report["heldout"] = {"manifest": os.path.abspath(a.heldout), "manifest_sha256": sha256(a.heldout),
                             "weights": "exported BF16, float32 compute", "loop": "greedy, one-by-one, lockstep, "
                             "RESET at 1024 positions", **res, "eval_seconds": round(time.time() - t1, 1)}
        print("held-out:", json.dumps(res, indent=1), flush=True)
        X.write_reference(a.out, held, pairs, a.reference_streams, a.heldout)
    with open(os.path.join(a.out, "train-report.json"), "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    X.write_sums(a.out)
    print("wrote", a.out, flush=True)


if __name__ == "__main__":
    main()
