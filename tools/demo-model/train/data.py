"""Streams, per-chunk labels and training windows in the released online format."""
import json
import math
import os

import numpy as np

import tokens as T

CHUNK_S = 0.4
CHUNK_SAMPLES = 6400
MAX_TOKENS = 1024  # block_size: the engine RESETs its context to the prefix when a forward would not fit


def target_chunk(ev):
    """The chunk whose decision answers a respond event: 0.4-0.8 s after the onset (or at its end if shorter)."""
    return int(math.floor(min(ev["offset"], ev["onset"] + CHUNK_S) / CHUNK_S - 1e-9))


def reply_tokens(ev):
    return [T.TEXT_BEGIN, T.EMOTION[ev["emotion"]]] + T.encode(ev["reply"]) + [T.TEXT_END]


class Stream:
    def __init__(self, manifest_dir, rec, mel_dir):
        self.rec = rec
        self.audio = rec["audio"]
        self.events = rec["events"]
        path = os.path.join(mel_dir, os.path.splitext(rec["audio"])[0] + ".mel")
        size = os.path.getsize(path)
        assert size % (128 * 40 * 4) == 0, path
        self.chunks = size // (128 * 40 * 4)
        self.mel = np.memmap(path, dtype="<f4", mode="r", shape=(self.chunks, 128, 40))
        expect = int(round(rec["duration"] / CHUNK_S))
        assert abs(expect - self.chunks) <= 1, (path, expect, self.chunks)
        # per chunk: None (silent) or the response's tokens
        self.labels = [None] * self.chunks
        self.collisions = 0
        forbidden = np.zeros(self.chunks + 1, dtype=bool)
        for ev in sorted(self.events, key=lambda e: e["onset"]):
            if ev["expect"] != "respond":
                continue
            c = max(0, target_chunk(ev))
            if c < self.chunks:
                if self.labels[c] is None:
                    self.labels[c] = reply_tokens(ev)
                else:
                    self.collisions += 1
            # a window must not start inside a respond event (its response would lie before the window)
            a = int(math.floor(ev["onset"] / CHUNK_S))
            b = int(math.ceil(ev["offset"] / CHUNK_S))
            forbidden[a + 1:b] = True
        self.starts = [s for s in range(self.chunks) if not forbidden[s]]
        # per chunk: the event class that overlaps it most ("" for bed only), for the auxiliary encoder loss
        self.chunk_class = [""] * self.chunks
        best = np.zeros(self.chunks)
        for ev in self.events:
            a = max(0, int(math.floor(ev["onset"] / CHUNK_S)))
            b = min(self.chunks, int(math.ceil(ev["offset"] / CHUNK_S)))
            for c in range(a, b):
                ov = min(ev["offset"], (c + 1) * CHUNK_S) - max(ev["onset"], c * CHUNK_S)
                if ov > best[c]:
                    best[c] = ov
                    self.chunk_class[c] = ev["class"]

    def decision_tokens(self, c):
        return [T.SILENT] if self.labels[c] is None else self.labels[c]

    def window(self, s, max_tokens=MAX_TOKENS):
        """Chunks s..e-1 after the prefix, as many as fit in max_tokens."""
        n = len(T.PREFIX)
        e = s
        while e < self.chunks and n + len(T.BLOCK) + len(self.decision_tokens(e)) <= max_tokens:
            n += len(T.BLOCK) + len(self.decision_tokens(e))
            e += 1
        return e


def build_sequence(stream, s, e, control_weight, respond_weight=1.0):
    """(row ids, targets (row ids, -100 unsupervised), weights, audio mask) of a window.

    Supervised as in the paper's label layout: the decision after each ASSISTANT (control, weight
    control_weight; a <response> decision control_weight * respond_weight) and, in a response, the
    emotion, the reply and TEXT_END (text, weight 1)."""
    ids = list(T.PREFIX)
    tgt = [-100] * len(ids)
    w = [0.0] * len(ids)
    for c in range(s, e):
        ids += T.BLOCK
        tgt += [-100] * len(T.BLOCK)
        w += [0.0] * len(T.BLOCK)
        d = stream.decision_tokens(c)
        tgt[-1] = T.ROW[d[0]]          # at ASSISTANT: the decision
        w[-1] = control_weight * (respond_weight if d[0] == T.TEXT_BEGIN else 1.0)
        for j, tok in enumerate(d):
            ids.append(tok)
            if j + 1 < len(d):
                tgt.append(T.ROW[d[j + 1]])
                w.append(1.0)
            else:
                tgt.append(-100)
                w.append(0.0)
    rows = [T.ROW[t] for t in ids]
    mask = [t == T.PAD for t in ids]
    return rows, tgt, w, mask


def read_manifest(path, mel_dir):
    d = os.path.dirname(os.path.abspath(path))
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(Stream(d, json.loads(line), mel_dir))
    return out
