package io.soundflow.engine.model;

import io.soundflow.engine.KvDtype;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightMatrix;

import java.util.List;

/**
 * The Qwen2.5 text decoder (immutable, shared): token embedding, pre-RMSNorm layers with grouped-query
 * attention (rotate-half RoPE, float32 angle products) over a {@link KvCache}, SwiGLU MLPs, the final
 * RMSNorm and the lm_head (which may be the embedding table itself when tied).
 */
public final class TextDecoder {
    private final TextDecoderConfig config;
    private final Kernels kernels;
    private final WeightMatrix embedding;  // [vocab, hidden]
    private final List<DecoderLayer> layers;
    private final Norm finalNorm;
    private final WeightMatrix lmHead;     // [vocab, hidden]
    private final float[] invFreq;         // [headDim / 2]
    /** Activation buffers a forward takes from its {@link KvCache} (reused across one-token steps). */
    static final int WORK_BUFFERS = 11;
    private static final int X = 0, H = 1, Q = 2, K = 3, V = 4, ATT = 5, QKV = 6, GATE = 7, UP = 8, SEL = 9, LOGITS = 10;

    public TextDecoder(TextDecoderConfig config, Kernels kernels, WeightMatrix embedding, List<DecoderLayer> layers,
                       Norm finalNorm, WeightMatrix lmHead) {
        this.config = config;
        this.kernels = kernels;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.invFreq = config.invFreq();
        if (layers.size() != config.layers()) {
            throw new IllegalArgumentException("text decoder: " + layers.size() + " layers, config says " + config.layers());
        }
    }

    public TextDecoderConfig config() {
        return config;
    }

    public Kernels kernels() {
        return kernels;
    }

    /** Whether the lm_head is the embedding table (tied). */
    public boolean tiedLmHead() {
        return lmHead == embedding;
    }

    /** A fresh, empty float32 cache for one stream. */
    public KvCache newCache(int capacity, boolean float16Positions) {
        return newCache(capacity, float16Positions, KvDtype.F32);
    }

    /**
     * A fresh, empty cache for one stream, storing keys and values as {@code dtype}. It holds its first
     * block and grows as positions are appended (see {@link KvCache}).
     *
     * @throws IllegalArgumentException when the capacity exceeds the model's positions, or when a full cache
     *                                  of that capacity could not fit in this JVM (the message says what it needs)
     */
    public KvCache newCache(int capacity, boolean float16Positions, KvDtype dtype) {
        if (capacity > config.maxPositions()) {
            throw new IllegalArgumentException("KV cache capacity " + capacity + " exceeds the model's "
                    + config.maxPositions() + " positions (max_position_embeddings / block_size)");
        }
        return new KvCache(kernels, config.layers(), config.kvDim(), capacity, float16Positions, dtype, this);
    }

    /**
     * Forwards {@code ids} at positions cache.length() .. + n - 1, appending their keys and values.
     * Row {@code audioSlots[j]} takes vector j of {@code audioVectors} [audioSlots.length, hidden] instead of
     * its token embedding. Returns the logits of {@code logitRows}, row-major [logitRows.length, vocab].
     * Stages reported to the probe: {@code inputs_embeds}, {@code layer<i>}, {@code final_hidden}.
     */
    public float[] forward(KvCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows, Probe probe) {
        int n = ids.length, d = config.hidden();
        validate(cache, ids, audioSlots, audioVectors, logitRows);
        Finite.require(audioVectors, d, "decoder", "the audio vectors", "");
        Kernels k = kernels;
        FloatBuf x = cache.work(X, n * d);                 // [n, d] residual stream
        k.embed(embedding, ids, x);
        for (int j = 0; j < audioSlots.length; j++) {
            x.write(audioSlots[j] * d, audioVectors, j * d, d);
        }
        probe.stage("inputs_embeds", x, n, d);
        int start = cache.length(), qDim = config.qDim(), kvDim = config.kvDim(), ffn = config.intermediate();
        float[] pos = cache.positions(start, n);
        cache.reserve(start + n);
        FloatBuf h = cache.work(H, n * d);                 // [n, d]
        FloatBuf q = cache.work(Q, n * qDim);              // [n, qDim]
        FloatBuf kk = cache.work(K, n * kvDim);            // [n, kvDim]
        FloatBuf v = cache.work(V, n * kvDim);             // [n, kvDim]
        FloatBuf att = cache.work(ATT, n * qDim);            // [n, qDim]
        FloatBuf scratch = cache.work(QKV, n * (qDim + 2 * kvDim));
        FloatBuf gate = cache.work(GATE, n * ffn), up = cache.work(UP, n * ffn); // [n, ffn]
        for (int i = 0; i < layers.size(); i++) {
            DecoderLayer L = layers.get(i);
            k.rmsNorm(x, L.attnNorm().weight(), config.rmsEps(), n, d, h);
            L.qkv().project(k, h, n, q, kk, v, scratch);
            k.rope(q, n, config.heads(), config.headDim(), pos, 0, invFreq);
            k.rope(kk, n, config.kvHeads(), config.headDim(), pos, 0, invFreq);
            cache.append(i, kk, v, start, n);
            cache.attention(i, q, start, n, config.heads(), config.kvHeads(), config.headDim(), att);
            L.o().apply(k, att, n, h);
            k.add(x, h, x, n * d);
            k.rmsNorm(x, L.mlpNorm().weight(), config.rmsEps(), n, d, h);
            L.gate().apply(k, h, n, gate);
            L.up().apply(k, h, n, up);
            k.siluMul(gate, up, gate, n * ffn);
            L.down().apply(k, gate, n, h);
            k.add(x, h, x, n * d);
            if (probe.active()) { // no name built per layer for Probe.NONE
                probe.stage("layer" + i, x, n, d);
            }
        }
        cache.advance(n);
        int r = logitRows.length;
        boolean wholeNorm = probe.active();          // the probe sees every row normed; else norm only the rows we need
        if (wholeNorm) {
            k.rmsNorm(x, finalNorm.weight(), config.rmsEps(), n, d, x);
            probe.stage("final_hidden", x, n, d);
        }
        FloatBuf sel = cache.work(SEL, Math.max(1, r) * d);  // [r, d] rows we need logits for
        for (int j = 0; j < r; j++) {
            sel.copyFrom(x, logitRows[j] * d, j * d, d);
        }
        if (!wholeNorm) {
            k.rmsNorm(sel, finalNorm.weight(), config.rmsEps(), r, d, sel);
        }
        float[] logits = logits(cache, sel, r);
        int bad = Finite.firstBad(logits, logits.length);
        if (bad >= 0) { // forget this forward's keys and values: the cache keeps only what came from finite numbers
            cache.truncate(start);
            int row = bad / config.vocab();
            throw new NonFiniteException("decoder: the logits of position " + (start + logitRows[row]) + " (logit row " + row
                    + ") hold " + logits[bad] + " at id " + bad % config.vocab()
                    + ": the checkpoint's weights or config (rope_theta, norm eps) give non-finite values");
        }
        return logits;
    }

    private float[] logits(KvCache cache, FloatBuf sel, int r) {
        if (r == 0) {
            return new float[0];
        }
        FloatBuf out = cache.work(LOGITS, r * config.vocab()); // [r, vocab]
        kernels.matmul(lmHead, sel, r, out, null);
        return out.toArray();
    }

    private void validate(KvCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows) {
        int n = ids.length, d = config.hidden();
        if (cache.owner() != this) {
            throw new IllegalArgumentException("this KV cache was made by another model");
        }
        if (n == 0) {
            throw new IllegalArgumentException("forward needs at least one token");
        }
        if (cache.length() + n > cache.capacity()) {
            throw new IllegalStateException("KV cache full: " + cache.length() + " + " + n + " tokens exceed its capacity "
                    + cache.capacity());
        }
        for (int id : ids) {
            if (id < 0 || id >= config.vocab()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocab() + ")");
            }
        }
        if ((long) audioSlots.length * d != (audioVectors == null ? 0 : audioVectors.length)) {
            throw new IllegalArgumentException(audioSlots.length + " audio slots need " + (long) audioSlots.length * d
                    + " values, got " + (audioVectors == null ? 0 : audioVectors.length));
        }
        for (int s : audioSlots) {
            if (s < 0 || s >= n) {
                throw new IllegalArgumentException("audio slot " + s + " is outside the " + n + " tokens of this forward");
            }
        }
        if ((long) logitRows.length * config.vocab() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(logitRows.length + " logit rows of " + config.vocab()
                    + " do not fit in one array; ask for fewer rows");
        }
        for (int r : logitRows) {
            if (r < 0 || r >= n) {
                throw new IllegalArgumentException("logit row " + r + " is outside the " + n + " tokens of this forward");
            }
        }
    }
}
