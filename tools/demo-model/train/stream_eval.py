"""The engine's greedy online loop in PyTorch (one-by-one drain, lockstep, RESET context policy), and event
scoring. Argmax is over the full vocabulary: a compact model's rest row stands for every unused id, so if
it wins the id is the lowest unused one (ties go to the lowest id, as in the engine)."""
import math

import numpy as np
import torch

import tokens as T
from data import CHUNK_S, MAX_TOKENS, target_chunk

MAX_REPLY = 64


class Compact:
    """Wraps a compact TextDecoder: full-vocabulary ids in, full-vocabulary argmax out."""

    def __init__(self, dec):
        self.dec = dec
        self.rows = torch.tensor([T.ROW[t] for t in range(256)], dtype=torch.long)

    def step(self, cache, start, ids, audio=None):
        rows = torch.tensor([[T.ROW.get(t, 0) for t in ids]], dtype=torch.long)
        mask = None
        if audio is not None:
            mask = torch.tensor([[t == T.PAD for t in ids]])
        x = self.dec.embed(rows, mask, audio)
        h = self.dec.hidden(x, start, cache)
        z = self.dec.logits(h[0, -1])          # raw per-row logits; the last is the rest row
        used = z[:-1]
        vals, order = torch.sort(-used, stable=True)   # ties: the lowest row (= the lowest id) first
        best_row = int(order[0])
        best_id, best, second = T.USED_IDS[best_row], float(used[best_row]), float(used[int(order[1])])
        rest = float(z[-1])
        if rest > best or (rest == best and T.LOWEST_UNUSED < best_id):
            top_id, top, runner = T.LOWEST_UNUSED, rest, rest   # the unused ids all tie with each other
        else:
            top_id, top, runner = best_id, best, max(second, rest)
        return top_id, top - runner, z


def truncate(cache, n):
    for i in range(len(cache)):
        k, v = cache[i]
        cache[i] = (k[:, :, :n], v[:, :, :n])


def run_stream(model_tower, compact, mel, max_tokens=MAX_TOKENS):
    """Greedy loop over mel [chunks, 128, 40]; returns per chunk dicts (decision, reply ids, margin, reset)."""
    with torch.no_grad():
        audio = model_tower(torch.as_tensor(np.asarray(mel), dtype=torch.float32))  # [chunks, 10, d]
        cache = []
        _, _, _ = compact.step(cache, 0, T.PREFIX)
        n = len(T.PREFIX)
        plen = n
        pending = []
        out = []
        for c in range(audio.shape[0]):
            toks = pending + T.BLOCK
            reset = False
            if n + len(toks) > max_tokens:
                truncate(cache, plen)
                n = plen
                pending = []
                toks = list(T.BLOCK)
                reset = True
            d, margin, _ = compact.step(cache, n, toks, audio[c])
            n += len(toks)
            reply = []
            if d == T.TEXT_BEGIN:
                tok = d
                while len(reply) < MAX_REPLY and n < max_tokens:
                    tok, _, _ = compact.step(cache, n, [tok])
                    n += 1
                    reply.append(tok)
                    if tok == T.TEXT_END:
                        break
                pending = [reply[-1]] if reply else [d]
            else:
                pending = [d]
            out.append({"chunk": c, "decision": d, "reply": reply, "margin": margin, "reset": reset})
        return out


def score(streams_results, class_of=lambda e: e["class"]):
    """Event accuracy per class: a respond event is right when a response with its emotion starts at a chunk
    from the one holding its onset to 2 chunks after its target chunk (decision by onset + 1.6 s at the
    latest); an ignore event when no response decides in a chunk overlapping [onset, offset + 0.4 s].
    Also onset-to-decision latency of responded events and responses outside respond events (false)."""
    per = {}
    lat = []
    false_trig = 0
    seconds = 0.0
    exact = [0, 0]
    for rec, res in streams_results:
        seconds += len(res) * CHUNK_S
        resp = [r for r in res if r["decision"] == T.TEXT_BEGIN]
        claimed = set()
        for ev in rec["events"]:
            cls = class_of(ev)
            p = per.setdefault(cls, {"n": 0, "ok": 0, "responded": 0, "emotion_ok": 0})
            p["n"] += 1
            a = int(math.floor(ev["onset"] / CHUNK_S))
            if ev["expect"] == "respond":
                last = max(0, target_chunk(ev)) + 2
                hit = [r for r in resp if a <= r["chunk"] <= last]
                if hit:
                    r = hit[0]
                    claimed.update(x["chunk"] for x in hit)
                    p["responded"] += 1
                    emo = r["reply"][0] if r["reply"] else None
                    if emo == T.EMOTION.get(ev["emotion"]):
                        p["emotion_ok"] += 1
                        p["ok"] += 1
                    lat.append((r["chunk"] + 1) * CHUNK_S - ev["onset"])
                    if ev.get("reply"):
                        exact[1] += 1
                        exact[0] += int(r["reply"] == [T.EMOTION[ev["emotion"]]] + T.encode(ev["reply"]) + [T.TEXT_END])
                # a later response inside the same event counts as false below
            else:
                b = int(math.ceil((ev["offset"] + CHUNK_S) / CHUNK_S))
                hit = [r for r in resp if a <= r["chunk"] < b]
                if not hit:
                    p["ok"] += 1
        false_trig += sum(1 for r in resp if r["chunk"] not in claimed)
    total_n = sum(p["n"] for p in per.values())
    total_ok = sum(p["ok"] for p in per.values())
    lat_sorted = sorted(lat)

    def pct(q):
        if not lat_sorted:
            return None
        return round(float(np.percentile(lat_sorted, q)), 3)

    return {
        "events": total_n,
        "accuracy": round(total_ok / max(1, total_n), 4),
        "per_class": {k: dict(v, accuracy=round(v["ok"] / max(1, v["n"]), 4)) for k, v in sorted(per.items())},
        "latency_p50_s": pct(50),
        "latency_p95_s": pct(95),
        "false_responses": false_trig,
        "false_per_hour": round(false_trig / max(1e-9, seconds) * 3600, 2),
        "audio_seconds": round(seconds, 1),
        "reply_exact": round(exact[0] / max(1, exact[1]), 4),
    }
