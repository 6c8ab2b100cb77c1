"""SoundFlow's Audio-Interaction model in PyTorch, computing what the Java engine computes.

Audio tower (engine/.../model/AudioTower.java): per 40-frame mel window conv1 (k3 s1 p1) + exact GELU,
conv2 (k3 s2 p1) + GELU, sinusoid positions that restart in every window, pre-LayerNorm layers (eps 1e-5;
q/v/out with bias, k without) with bidirectional attention inside the window, pair average, ln_post and
proj (= the adapter, to the LM width): 10 vectors per 400 ms chunk.

Text decoder (TextDecoder.java, litgpt Qwen2.5): embedding, pre-RMSNorm layers with the fused qkv whose
rows are [all Q; all K; all V] (litgpt's `attn.qkv`, as AudioInteractionLoader splits it) with bias,
rotate-half RoPE with float32 angles p * inv_freq over the released float16-rounded positions,
GQA (query head h reads kv head h // (heads / groups)), SwiGLU (fc_1 gate, fc_2 up, proj down),
ln_f and an untied lm_head.

The decoder may be COMPACT: `rows` embedding rows for the used ids only, and an lm_head with one extra
last row, the shared `rest` row that stands for the `rest_count` unused ids of the full vocabulary. Its
logit enters the softmax as rest.h + log(rest_count) (compact_logits_for_loss); the raw rest.h is the logit
each unused id has in the expanded full model.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LN_EPS = 1e-5
CHUNK_FRAMES = 40


def sinusoids(length, channels):
    """Whisper's table as AudioTower.sinusoids builds it (float32 products, sin/cos rounded once)."""
    half = channels // 2
    inc = np.float32(math.log(10000.0) / (half - 1))
    inv = np.exp((-inc * np.arange(half, dtype=np.float32)).astype(np.float64)).astype(np.float32)
    ang = (np.arange(length, dtype=np.float32)[:, None] * inv[None, :]).astype(np.float32)
    table = np.concatenate([np.sin(ang.astype(np.float64)), np.cos(ang.astype(np.float64))], axis=1)
    return torch.from_numpy(table.astype(np.float32))


def gelu(x):
    """Exact (erf) GELU. Not F.gelu: the backward of Debian's torch 1.13 F.gelu returns garbage for
    non-contiguous incoming gradients (seen here; a forward-identical formula avoids it)."""
    return 0.5 * x * (1.0 + torch.erf(x * 0.7071067811865476))


def conv3(x, conv, stride):
    """Conv1d k3 p1 as im2col + one matmul (deterministic, BLAS-fast; torch 1.13's CPU conv backward gave
    non-reproducible weight gradients under use_deterministic_algorithms). x [N, C, T] -> [N, T_out, C_out]."""
    n, c, t = x.shape
    xp = F.pad(x, (1, 1))
    cols = torch.stack([xp[:, :, k:k + t] for k in range(3)], dim=-1)  # [N, C, T, 3]
    if stride == 2:
        cols = cols[:, :, ::2]
    cols = cols.permute(0, 2, 1, 3).reshape(n, cols.shape[2], c * 3)   # column ci * 3 + k, as the weight
    return F.linear(cols, conv.weight.reshape(conv.weight.shape[0], -1), conv.bias)


class AudioAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(d, d, bias=True)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=True)
        self.out_proj = nn.Linear(d, d, bias=True)

    def forward(self, x):  # x [B, T, d]: each batch row is one window
        b, t, d = x.shape
        hd = d // self.heads
        q = self.q_proj(x).view(b, t, self.heads, hd).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.heads, hd).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.heads, hd).transpose(1, 2)
        s = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(hd))
        a = torch.matmul(torch.softmax(s, dim=-1), v)
        return self.out_proj(a.transpose(1, 2).reshape(b, t, d))


class AudioLayer(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.self_attn_layer_norm = nn.LayerNorm(d, eps=LN_EPS)
        self.self_attn = AudioAttention(d, heads)
        self.final_layer_norm = nn.LayerNorm(d, eps=LN_EPS)
        self.fc1 = nn.Linear(d, ffn)
        self.fc2 = nn.Linear(ffn, d)

    def forward(self, h):
        h = h + self.self_attn(self.self_attn_layer_norm(h))
        return h + self.fc2(gelu(self.fc1(self.final_layer_norm(h))))


class AudioTower(nn.Module):
    """State-dict names are exactly those AudioTowerLoader reads (HF Qwen2_5OmniAudioEncoder)."""

    def __init__(self, mel_bins=128, d=128, layers=2, heads=4, ffn=512, out_dim=256, max_positions=1500):
        super().__init__()
        self.cfg = dict(mel_bins=mel_bins, d=d, layers=layers, heads=heads, ffn=ffn, out_dim=out_dim,
                        max_positions=max_positions)
        self.conv1 = nn.Conv1d(mel_bins, d, 3, stride=1, padding=1)
        self.conv2 = nn.Conv1d(d, d, 3, stride=2, padding=1)
        self.layers = nn.ModuleList([AudioLayer(d, heads, ffn) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(d, eps=LN_EPS)
        self.proj = nn.Linear(d, out_dim)
        # present in the release's .pth, unused by the online model (the Java loader skips it)
        self.audio_bos_eos_token = nn.Embedding(2, d)
        self.audio_bos_eos_token.weight.requires_grad_(False)
        self.register_buffer("pos", sinusoids((CHUNK_FRAMES - 1) // 2 + 1, d), persistent=False)

    def forward(self, mel):
        """mel [N, bins, 40] (one 400 ms chunk each) -> [N, 10, out_dim]."""
        x = gelu(conv3(mel, self.conv1, 1))                    # [N, 40, d]
        x = gelu(conv3(x.transpose(1, 2), self.conv2, 2))      # [N, 20, d]
        h = x + self.pos[: x.shape[1]]                           # positions restart per window
        for layer in self.layers:
            h = layer(h)
        n, t, d = h.shape
        h = h[:, : t // 2 * 2].reshape(n, t // 2, 2, d).mean(dim=2)  # AvgPool(2, 2), odd last row dropped
        return self.proj(self.ln_post(h))

    def stages(self, mel):
        """The golden trace's stages for one chunk: conv (+positions), after the layers, after ln_post, output."""
        x = gelu(conv3(gelu(conv3(mel, self.conv1, 1)).transpose(1, 2), self.conv2, 2))
        h = x + self.pos[: x.shape[1]]
        conv = h
        for layer in self.layers:
            h = layer(h)
        layers = h
        n, t, d = h.shape
        p = self.ln_post(h[:, : t // 2 * 2].reshape(n, t // 2, 2, d).mean(dim=2))
        return conv, layers, p, self.proj(p)


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        inv = torch.rsqrt(torch.mean(x * x, dim=-1, keepdim=True) + self.eps)
        return self.weight * (x * inv)


class Attn(nn.Module):
    def __init__(self, d, heads, groups, hd):
        super().__init__()
        self.heads, self.groups, self.hd = heads, groups, hd
        self.qkv = nn.Linear(d, (heads + 2 * groups) * hd, bias=True)  # rows [Q; K; V]
        self.proj = nn.Linear(heads * hd, d, bias=False)


class MLP(nn.Module):
    def __init__(self, d, f):
        super().__init__()
        self.fc_1 = nn.Linear(d, f, bias=False)
        self.fc_2 = nn.Linear(d, f, bias=False)
        self.proj = nn.Linear(f, d, bias=False)

    def forward(self, x):
        return self.proj(F.silu(self.fc_1(x)) * self.fc_2(x))


class Block(nn.Module):
    def __init__(self, d, heads, groups, hd, f, eps):
        super().__init__()
        self.norm_1 = RMSNorm(d, eps)
        self.attn = Attn(d, heads, groups, hd)
        self.norm_2 = RMSNorm(d, eps)
        self.mlp = MLP(d, f)


class Transformer(nn.Module):
    def __init__(self, rows, d, layers, heads, groups, hd, f, eps):
        super().__init__()
        self.wte = nn.Embedding(rows, d)
        self.h = nn.ModuleList([Block(d, heads, groups, hd, f, eps) for _ in range(layers)])
        self.ln_f = RMSNorm(d, eps)


def inv_freq(hd, theta):
    """TextDecoderConfig.invFreq: 1f / (float) pow(theta, (float) 2i / (float) hd)."""
    e = (np.arange(0, hd, 2, dtype=np.float32) / np.float32(hd)).astype(np.float32)
    return torch.from_numpy((np.float32(1.0) / np.power(theta, e.astype(np.float64)).astype(np.float32))
                            .astype(np.float32))


def released_positions(start, n):
    """The released float16 arange positions (exact below 2048)."""
    return torch.arange(start, start + n, dtype=torch.float64).to(torch.float16).to(torch.float32)


def rope(x, pos, invf):
    """x [B, H, T, hd]; pos [T] float32; rotate-half."""
    ang = pos[:, None] * invf[None, :]              # float32 products
    cos, sin = torch.cos(ang), torch.sin(ang)      # [T, hd/2]
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class TextDecoder(nn.Module):
    """litgpt names: transformer.wte / transformer.h.i.* / transformer.ln_f / lm_head."""

    def __init__(self, rows, d=256, layers=2, heads=4, groups=2, hd=64, f=512, eps=1e-6, theta=1e6,
                 head_rows=None, rest_count=0):
        super().__init__()
        self.cfg = dict(rows=rows, d=d, layers=layers, heads=heads, groups=groups, hd=hd, f=f, eps=eps,
                        theta=theta, head_rows=head_rows or rows, rest_count=rest_count)
        self.transformer = Transformer(rows, d, layers, heads, groups, hd, f, eps)
        self.lm_head = nn.Linear(d, head_rows or rows, bias=False)
        self.rest_count = rest_count
        self.register_buffer("invf", inv_freq(hd, theta), persistent=False)

    def embed(self, ids, audio_mask=None, audio=None):
        """ids [B, T] row indices; audio_mask [B, T] bool; audio [n_true, d] in row-major order of the mask."""
        x = self.transformer.wte(ids)
        if audio_mask is not None:
            x = x.masked_scatter(audio_mask.unsqueeze(-1), audio.to(x.dtype))
        return x

    def hidden(self, x, start=0, cache=None, pad_mask=None):
        """x [B, T, d] input embeddings at positions start..; cache: list of (k, v) per layer, extended in place.
        Returns the final-normed hidden states [B, T, d]."""
        b, t, _ = x.shape
        c = self.cfg
        pos = released_positions(start, t)
        total = start + t
        causal = torch.ones(t, total, dtype=torch.bool).tril(diagonal=start)
        for i, blk in enumerate(self.transformer.h):
            hn = blk.norm_1(x)
            qkv = blk.attn.qkv(hn)
            qd, kd = c["heads"] * c["hd"], c["groups"] * c["hd"]
            q = qkv[..., :qd].view(b, t, c["heads"], c["hd"]).transpose(1, 2)
            k = qkv[..., qd:qd + kd].view(b, t, c["groups"], c["hd"]).transpose(1, 2)
            v = qkv[..., qd + kd:].view(b, t, c["groups"], c["hd"]).transpose(1, 2)
            q = rope(q, pos, self.invf)
            k = rope(k, pos, self.invf)
            if cache is not None:
                if len(cache) > i:
                    pk, pv = cache[i]
                    k = torch.cat([pk, k], dim=2)
                    v = torch.cat([pv, v], dim=2)
                    cache[i] = (k, v)
                else:
                    cache.append((k, v))
            rep = c["heads"] // c["groups"]
            kk = k.repeat_interleave(rep, dim=1)
            vv = v.repeat_interleave(rep, dim=1)
            s = torch.matmul(q, kk.transpose(-1, -2)) * (1.0 / math.sqrt(c["hd"]))
            s = s.masked_fill(~causal, float("-inf"))
            a = torch.matmul(torch.softmax(s, dim=-1), vv)
            x = x + blk.attn.proj(a.transpose(1, 2).reshape(b, t, qd))
            x = x + blk.mlp(blk.norm_2(x))
        return self.transformer.ln_f(x)

    def logits(self, h):
        """Raw logits (each row's own value; the rest row's is what every unused id gets)."""
        return self.lm_head(h)

    def loss_logits(self, h):
        """Logits whose softmax equals the full-vocabulary softmax: the rest column + log(rest_count)."""
        z = self.lm_head(h)
        if self.rest_count > 0:
            z = torch.cat([z[..., :-1], z[..., -1:] + math.log(self.rest_count)], dim=-1)
        return z
