package io.soundflow.engine.model;

import io.soundflow.engine.DecoderCache;
import io.soundflow.engine.KvDtype;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.HalfBuf;
import io.soundflow.kernels.Kernels;

import java.util.Locale;

/**
 * One stream's KV cache: per layer a key and a value buffer [rows, kvDim] (keys after RoPE), in float32
 * or float16 ({@link KvDtype}). The token at row i sits at position i (through float16 when
 * {@link #float16Positions()}).
 *
 * <p>Memory: a new cache holds {@link #FIRST_BLOCK} positions (or its capacity, if smaller); as positions
 * are appended the buffers double, copying the filled rows, up to the capacity. One position costs
 * {@code layers x 2 x kvDim x bytes} (72 KiB at float32 for the 3B: 36 x 2 x 256 x 4 B), so a fresh 3B
 * cache holds 9.4 MB, and a full one of 32768 positions 2.42 GB (half at float16). A capacity whose full
 * size the JVM cannot hold is refused when the cache is made. Growth never changes a value: results are
 * bit-identical to a cache allocated at full size.
 *
 * <p>Mutable session state: never share one between streams.
 */
public final class KvCache implements DecoderCache {
    /** Positions a new cache holds before it first grows. */
    public static final int FIRST_BLOCK = 128;
    /** Largest Java array (values per layer buffer). */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Kernels kernels;
    private final int layers;
    private final int kvDim;
    private final int capacity;
    private final KvDtype dtype;
    private final boolean float16Positions;
    private final Object owner;
    private FloatBuf[] keys, values;       // F32: per layer [rows, kvDim]
    private HalfBuf[] halfKeys, halfValues; // F16: per layer [rows, kvDim]
    private int rows;                      // positions the buffers hold now
    private final FloatBuf[] work = new FloatBuf[TextDecoder.WORK_BUFFERS]; // activations, grow-only per slot
    private final FloatBuf[] views = new FloatBuf[TextDecoder.WORK_BUFFERS]; // the last view handed out per slot
    private int length;

    /**
     * A cache of {@code capacity} positions holding its first {@link #FIRST_BLOCK} positions.
     *
     * @throws IllegalArgumentException when the full cache, or the peak while it grows to that, cannot fit in
     *                                  this JVM's heap ({@code -Xmx}), with what it needs
     */
    KvCache(Kernels kernels, int layers, int kvDim, int capacity, boolean float16Positions, KvDtype dtype, Object owner) {
        this(kernels, layers, kvDim, capacity, float16Positions, dtype, owner, FIRST_BLOCK, Runtime.getRuntime().maxMemory());
    }

    /**
     * A cache holding {@code firstBlock} positions at first, refused when its peak size while growing to
     * its capacity exceeds {@code availableBytes}.
     */
    KvCache(Kernels kernels, int layers, int kvDim, int capacity, boolean float16Positions, KvDtype dtype, Object owner,
            int firstBlock, long availableBytes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("KV cache capacity must be positive, got " + capacity);
        }
        this.kernels = kernels;
        this.layers = layers;
        this.kvDim = kvDim;
        this.capacity = capacity;
        this.dtype = dtype;
        this.float16Positions = float16Positions;
        this.owner = owner;
        checkFits(layers, kvDim, capacity, dtype, availableBytes, firstBlock);
        if ((long) capacity * kvDim > MAX_ARRAY) {
            throw new IllegalArgumentException("KV cache of " + capacity + " positions x " + kvDim
                    + " values per layer exceeds the largest Java array (" + MAX_ARRAY + " values): " + remedy(dtype));
        }
        grow(Math.max(1, Math.min(capacity, firstBlock)));
    }

    /** What to do about a cache of {@code dtype} that does not fit (the CLI's words). */
    static String remedy(KvDtype dtype) {
        return "lower SessionOptions.maxPositions (or block_size in model_config.yaml; maxNewTokens for ask), "
                + (dtype == KvDtype.F16 ? "" : "use KvDtype.F16, ") + "or raise -Xmx";
    }

    /** Bytes one position takes in every layer's keys and values. */
    public static long bytesPerPosition(int layers, int kvDim, KvDtype dtype) {
        return 2L * layers * kvDim * dtype.bytes();
    }

    /** {@link #checkFits(int, int, int, KvDtype, long, int)} for a cache that starts at {@link #FIRST_BLOCK}. */
    static void checkFits(int layers, int kvDim, int capacity, KvDtype dtype, long availableBytes) {
        checkFits(layers, kvDim, capacity, dtype, availableBytes, FIRST_BLOCK);
    }

    /**
     * Fails when a cache of {@code capacity} positions ({@link #bytesPerPosition} each) cannot fit in
     * {@code availableBytes}: its full size, or the peak while it grows to that (the last doubling holds
     * the old buffers and the new ones at once, up to 1.5x the full size); the message says how much it
     * needs and how to make it fit. The bound is the heap's maximum, the same whatever the collector
     * has not yet freed; sessions share it, and a cache that cannot grow later fails its own session.
     */
    static void checkFits(int layers, int kvDim, int capacity, KvDtype dtype, long availableBytes, int firstBlock) {
        long per = bytesPerPosition(layers, kvDim, dtype);
        double need = (double) per * capacity; // cannot overflow
        double peak = (double) per * (capacity + grownFrom(capacity, firstBlock));
        if (peak > availableBytes) {
            throw new IllegalArgumentException("KV cache of " + capacity + " positions needs " + human(need) + " at "
                    + dtype.cliName() + " (" + layers + " layers x 2 x " + kvDim + " x " + dtype.bytes()
                    + " B per position); this JVM can hold at most " + human(availableBytes)
                    + (need <= availableBytes ? ", and growing to that size briefly takes " + human(peak) : "")
                    + ": " + remedy(dtype));
        }
    }

    /** Rows held before the last growth to {@code capacity} when the cache doubles from {@code firstBlock} (0 if it never grows). */
    static long grownFrom(int capacity, int firstBlock) {
        long rows = Math.max(1, Math.min(capacity, firstBlock));
        long before = 0;
        while (rows < capacity) {
            before = rows;
            rows = Math.min(capacity, 2 * rows);
        }
        return before;
    }

    /** Decimal units, one decimal: "9.4 MB", "2.4 GB". */
    static String human(double bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
        int u = 0;
        while (bytes >= 1000 && u < units.length - 1) {
            bytes /= 1000;
            u++;
        }
        return u == 0 ? (long) bytes + " B" : String.format(Locale.ROOT, "%.1f %s", bytes, units[u]);
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

    /** How keys and values are stored. */
    public KvDtype dtype() {
        return dtype;
    }

    /** Positions the buffers hold now (at most the capacity; they grow as positions are appended). */
    public int allocatedPositions() {
        return rows;
    }

    /** Bytes the key and value buffers hold now. */
    public long allocatedBytes() {
        return bytesPerPosition(layers, kvDim, dtype) * rows;
    }

    /** Bytes the key and value buffers would hold at full capacity. */
    public long capacityBytes() {
        return bytesPerPosition(layers, kvDim, dtype) * capacity;
    }

    int kvDim() {
        return kvDim;
    }

    Object owner() {
        return owner;
    }

    /**
     * Makes room for positions {@code 0 .. positions - 1} (at most the capacity): doubles the buffers until
     * they hold them, copying the filled rows.
     *
     * @throws IllegalStateException when the heap cannot give the larger buffers (the cache is unchanged)
     */
    void reserve(int positions) {
        if (positions > rows) {
            grow((int) Math.min(capacity, Math.max(positions, 2L * rows)));
        }
    }

    private void grow(int newRows) {
        int size = newRows * kvDim, keep = length * kvDim;
        try {
            if (dtype == KvDtype.F16) {
                HalfBuf[] k = new HalfBuf[layers], v = new HalfBuf[layers];
                for (int i = 0; i < layers; i++) { // allocate every layer first: a failure leaves the cache as it was
                    k[i] = kernels.allocHalf(size);
                    v[i] = kernels.allocHalf(size);
                }
                for (int i = 0; keep > 0 && i < layers; i++) {
                    k[i].copyFrom(halfKeys[i], 0, 0, keep);
                    v[i].copyFrom(halfValues[i], 0, 0, keep);
                }
                halfKeys = k;
                halfValues = v;
            } else {
                FloatBuf[] k = new FloatBuf[layers], v = new FloatBuf[layers];
                for (int i = 0; i < layers; i++) {
                    k[i] = kernels.alloc(size);
                    v[i] = kernels.alloc(size);
                }
                for (int i = 0; keep > 0 && i < layers; i++) {
                    k[i].copyFrom(keys[i], 0, 0, keep);
                    v[i].copyFrom(values[i], 0, 0, keep);
                }
                keys = k;
                values = v;
            }
        } catch (OutOfMemoryError e) { // one large request failed; what it asked for was never taken
            throw new IllegalStateException("KV cache could not grow from " + rows + " to " + newRows + " positions ("
                    + human((double) bytesPerPosition(layers, kvDim, dtype) * newRows) + " at " + dtype.cliName()
                    + "): the Java heap is full; "
                    + remedy(dtype), e);
        }
        rows = newRows;
    }

    /**
     * Stores the keys and values of {@code n} tokens, [n, kvDim] each, at rows {@code start ..} of layer
     * {@code layer} (room made by {@link #reserve}).
     */
    void append(int layer, FloatBuf k, FloatBuf v, int start, int n) {
        if (dtype == KvDtype.F16) {
            try {
                halfKeys[layer].writeRounded(start * kvDim, k, 0, n * kvDim);
                halfValues[layer].writeRounded(start * kvDim, v, 0, n * kvDim);
            } catch (ArithmeticException e) {
                throw new IllegalStateException("layer " + layer + ": a key or value does not fit in float16 ("
                        + e.getMessage() + "); use KvDtype.F32", e);
            }
        } else {
            keys[layer].copyFrom(k, 0, start * kvDim, n * kvDim);
            values[layer].copyFrom(v, 0, start * kvDim, n * kvDim);
        }
    }

    /** Causal attention of {@code q} (tokens at start .. start + n - 1) over layer {@code layer}'s rows. */
    void attention(int layer, FloatBuf q, int start, int n, int heads, int kvHeads, int headDim, FloatBuf out) {
        if (dtype == KvDtype.F16) {
            kernels.attentionCausal(q, halfKeys[layer], halfValues[layer], start, n, heads, kvHeads, headDim, out);
        } else {
            kernels.attentionCausal(q, keys[layer], values[layer], start, n, heads, kvHeads, headDim, out);
        }
    }

    /**
     * Activation buffer {@code slot} of exactly {@code size} floats for one forward: a view of a grow-only
     * buffer per slot, so forwards of varying lengths (listening blocks of 13, 14, ... tokens, one-token
     * steps) allocate only when a slot needs more than it ever held. Contents are stale.
     */
    FloatBuf work(int slot, int size) {
        FloatBuf v = views[slot];
        if (v != null && v.size() == size) {
            return v;
        }
        FloatBuf b = work[slot];
        if (b == null || b.size() < size) {
            b = kernels.alloc(size);
            work[slot] = b;
        }
        v = b.size() == size ? b : b.slice(0, size);
        views[slot] = v;
        return v;
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
