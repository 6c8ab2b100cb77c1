package io.soundflow.engine.model;

import io.soundflow.engine.DecoderCache;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;

/**
 * One stream's KV cache: per layer a preallocated key and value buffer [capacity, kvDim] (keys after
 * RoPE). The token at row i sits at position i (through float16 when {@link #float16Positions()}).
 * Mutable session state: never share one between streams.
 */
public final class KvCache implements DecoderCache {
    private final FloatBuf[] keys;    // per layer [capacity, kvDim]
    private final FloatBuf[] values;  // per layer [capacity, kvDim]
    private final int capacity;
    private final int kvDim;
    private final boolean float16Positions;
    private final Object owner;
    private final Kernels kernels;
    private final FloatBuf[] work = new FloatBuf[TextDecoder.WORK_BUFFERS]; // the last forward's activations
    private int length;

    KvCache(Kernels kernels, int layers, int kvDim, int capacity, boolean float16Positions, Object owner) {
        if (capacity < 1) {
            throw new IllegalArgumentException("KV cache capacity must be positive, got " + capacity);
        }
        if ((long) capacity * kvDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("KV cache capacity " + capacity + " is too large");
        }
        this.keys = new FloatBuf[layers];
        this.values = new FloatBuf[layers];
        for (int i = 0; i < layers; i++) {
            keys[i] = kernels.alloc(capacity * kvDim);
            values[i] = kernels.alloc(capacity * kvDim);
        }
        this.capacity = capacity;
        this.kvDim = kvDim;
        this.float16Positions = float16Positions;
        this.owner = owner;
        this.kernels = kernels;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a KV cache of length " + length + " to " + newLength);
        }
        length = newLength;
    }

    @Override
    public boolean float16Positions() {
        return float16Positions;
    }

    FloatBuf keys(int layer) {
        return keys[layer];
    }

    FloatBuf values(int layer) {
        return values[layer];
    }

    int kvDim() {
        return kvDim;
    }

    Object owner() {
        return owner;
    }

    /**
     * Activation buffer {@code slot} of exactly {@code size} floats for one forward: the previous forward's
     * buffer when it had the same size (every one-token decode step), else a fresh one. Contents are stale.
     */
    FloatBuf work(int slot, int size) {
        FloatBuf b = work[slot];
        if (b == null || b.size() != size) {
            b = kernels.alloc(size);
            work[slot] = b;
        }
        return b;
    }

    void advance(int n) {
        length += n;
    }

    /** RoPE positions of rows start .. start + n - 1 (float16-rounded if configured). */
    float[] positions(int start, int n) {
        float[] p = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = position(start + i, float16Positions);
        }
        return p;
    }

    /** A position as a float, optionally rounded through float16 (round half to even), as the release does. */
    public static float position(int p, boolean float16) {
        return float16 ? Float.float16ToFloat(Float.floatToFloat16(p)) : (float) p;
    }
}
