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
        return lmHead.data().equals(embedding.data()); // the same stored weights (the head is the table uploaded)
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
     *
     * @throws NonFiniteException when a returned logit is NaN or infinite (this forward's keys and values
     *                            are then forgotten)
     */
    public float[] forward(KvCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows, Probe probe) {
        int start = cache.length(), r = logitRows.length, vocab = config.vocab();
        FloatBuf out = run(cache, ids, audioSlots, audioVectors, logitRows, probe);
        if (r == 0) {
            return new float[0];
        }
        float[] logits = out.toArray();
        int bad = Finite.firstBad(logits, logits.length);
        if (bad >= 0) {
            throw nonFinite(cache, start, logitRows, bad / vocab, bad % vocab, logits[bad]);
        }
        return logits;
    }

    /**
     * {@link #forward} for a greedy decision: the argmax (ties to the lowest id) of each row of
     * {@code logitRows}, found by the backend, so that only one int a row is read back.
     *
     * @throws NonFiniteException as {@link #forward} does
     */
    public int[] greedy(KvCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows) {
        return greedy(cache, ids, audioSlots, audioVectors, logitRows, NO_WATCH, null);
    }

    private static final int[] NO_WATCH = new int[0];

    /**
     * {@link #greedy(KvCache, int[], int[], float[], int[])} that also reads back the logits of the ids in
     * {@code watch} at each row: {@code watched[row * watch.length + i]} (one float per watched id and row).
     */
    public int[] greedy(KvCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows,
                        int[] watch, float[] watched) {
        int start = cache.length(), vocab = config.vocab();
        FloatBuf out = run(cache, ids, audioSlots, audioVectors, logitRows, Probe.NONE);
        int[] best = new int[logitRows.length];
        for (int j = 0; j < best.length; j++) {
            int a = kernels.argmax(out, j * vocab, vocab);
            if (a < 0) {
                int id = Kernels.nonFiniteAt(a);
                float[] v = new float[1];
                out.read(j * vocab + id, v, 0, 1);
                throw nonFinite(cache, start, logitRows, j, id, v[0]);
            }
            best[j] = a;
            for (int i = 0; i < watch.length; i++) {
                out.read(j * vocab + watch[i], watched, j * watch.length + i, 1);
            }
        }
        return best;
    }

    /** Forgets the failed forward's keys and values (the cache keeps only what came from finite numbers). */
    private NonFiniteException nonFinite(KvCache cache, int start, int[] logitRows, int row, int id, float value) {
        cache.truncate(start);
        return new NonFiniteException("decoder: the logits of position " + (start + logitRows[row]) + " (logit row " + row
                + ") hold " + value + " at id " + id
                + ": the checkpoint's weights or config (rope_theta, norm eps) give non-finite values");
    }

    /**
     * The forward itself; returns the logits of {@code logitRows} as a backend buffer [r, vocab] (null when
     * r = 0). Without a probe the last layer's attention output projection and MLP run only on the rows
     * whose logits are asked for (the other rows' keys and values are all the cache needs from it).
     */
    private FloatBuf run(KvCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows, Probe probe) {
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
        int r = logitRows.length;
        float[] pos = cache.positions(start, n);
        cache.reserve(start + n);
        FloatBuf h = cache.work(H, n * d);                 // [n, d]
        FloatBuf q = cache.work(Q, n * qDim);              // [n, qDim]
        FloatBuf kk = cache.work(K, n * kvDim);            // [n, kvDim]
        FloatBuf v = cache.work(V, n * kvDim);             // [n, kvDim]
        FloatBuf att = cache.work(ATT, n * qDim);            // [n, qDim]
        FloatBuf scratch = cache.work(QKV, n * (qDim + 2 * kvDim));
        boolean narrowLast = !probe.active() && r <= n;     // the probe sees every row of every layer
        FloatBuf gate = cache.work(GATE, n * ffn), up = cache.work(UP, n * ffn); // [n, ffn]
        FloatBuf sel = cache.work(SEL, Math.max(1, r) * d);  // [r, d] the rows we need logits for
        for (int i = 0; i < layers.size(); i++) {
            DecoderLayer L = layers.get(i);
            k.rmsNorm(x, L.attnNorm().weight(), config.rmsEps(), n, d, h);
            L.qkv().project(k, h, n, q, kk, v, scratch);
            k.rope(q, n, config.heads(), config.headDim(), pos, 0, invFreq);
            k.rope(kk, n, config.kvHeads(), config.headDim(), pos, 0, invFreq);
            cache.append(i, kk, v, start, n);
            boolean last = i == layers.size() - 1;
            if (last && narrowLast) {
                if (r > 0) {
                    lastLayer(cache, L, q, start, n, logitRows, att, x, h, sel, gate, up);
                }
                break;
            }
            cache.attention(i, q, start, n, config.heads(), config.kvHeads(), config.headDim(), att);
            L.o().apply(k, att, n, h);
            k.add(x, h, x, n * d);
            mlp(L, x, h, n, gate, up);
            if (probe.active()) { // no name built per layer for Probe.NONE
                probe.stage("layer" + i, x, n, d);
            }
        }
        cache.advance(n);
        if (!narrowLast) { // the probe sees every row normed
            k.rmsNorm(x, finalNorm.weight(), config.rmsEps(), n, d, x);
            probe.stage("final_hidden", x, n, d);
        }
        if (!narrowLast || layers.isEmpty()) { // else the last layer left its rows in sel
            for (int j = 0; j < r; j++) {
                sel.copyFrom(x, logitRows[j] * d, j * d, d);
            }
        }
        if (narrowLast && r > 0) {
            k.rmsNorm(sel, finalNorm.weight(), config.rmsEps(), r, d, sel);
        }
        if (r == 0) {
            return null;
        }
        FloatBuf out = cache.work(LOGITS, r * config.vocab()); // [r, vocab]
        k.matmul(lmHead, sel, r, out, null);
        return out;
    }

    /** x += down(silu(gate(norm(x))) * up(norm(x))) over {@code n} rows, h as scratch. */
    private void mlp(DecoderLayer L, FloatBuf x, FloatBuf h, int n, FloatBuf gate, FloatBuf up) {
        Kernels k = kernels;
        int d = config.hidden(), ffn = config.intermediate();
        FloatBuf g = gate.size() == n * ffn ? gate : gate.slice(0, n * ffn);
        FloatBuf u = up.size() == n * ffn ? up : up.slice(0, n * ffn);
        k.rmsNorm(x, L.mlpNorm().weight(), config.rmsEps(), n, d, h);
        L.gate().apply(k, h, n, g);
        L.up().apply(k, h, n, u);
        k.siluMul(g, u, g, n * ffn);
        L.down().apply(k, g, n, h);
        k.add(x, h, x, n * d);
    }

    /**
     * The last layer for the {@code r} rows whose logits are needed: their queries attend (one row at a
     * time, each at its own position), then o, the residual and the MLP run on those rows only, gathered
     * into {@code sel} [r, d], which ends holding the last layer's output of those rows.
     */
    private void lastLayer(KvCache cache, DecoderLayer L, FloatBuf q, int start, int n, int[] logitRows,
                           FloatBuf att, FloatBuf x, FloatBuf h, FloatBuf sel, FloatBuf gate, FloatBuf up) {
        Kernels k = kernels;
        int r = logitRows.length, d = config.hidden(), qDim = config.qDim();
        int last = layers.size() - 1;
        FloatBuf as; // the attention outputs of the needed rows, [r, qDim]
        if (r == 1 && logitRows[0] == n - 1 || r == n && sequential(logitRows)) {
            // the common cases (the last row; every row): one call over the contiguous tail of the batch
            int first = logitRows[0];
            as = att.slice(0, r * qDim);
            cache.attention(last, q.slice(first * qDim, r * qDim), start + first, r, config.heads(), config.kvHeads(),
                    config.headDim(), as);
        } else {
            FloatBuf qs = att.slice(0, r * qDim);  // the needed rows' queries, gathered
            as = q.slice(0, r * qDim);             // q is free once gathered
            for (int j = 0; j < r; j++) {
                qs.copyFrom(q, logitRows[j] * qDim, j * qDim, qDim);
            }
            for (int j = 0; j < r; j++) { // row j attends to the cache up to its own position
                cache.attention(last, qs.slice(j * qDim, qDim), start + logitRows[j], 1,
                        config.heads(), config.kvHeads(), config.headDim(), as.slice(j * qDim, qDim));
            }
        }
        for (int j = 0; j < r; j++) {
            sel.copyFrom(x, logitRows[j] * d, j * d, d);
        }
        FloatBuf hs = h.slice(0, r * d);
        L.o().apply(k, as, r, hs);
        k.add(sel, hs, sel, r * d);
        mlp(L, sel, hs, r, gate, up);
    }

    private static boolean sequential(int[] rows) {
        for (int j = 0; j < rows.length; j++) {
            if (rows[j] != j) {
                return false;
            }
        }
        return true;
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
