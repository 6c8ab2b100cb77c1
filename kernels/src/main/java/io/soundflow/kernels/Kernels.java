package io.soundflow.kernels;

/**
 * The numeric primitives every model in SoundFlow is written with. One implementation is chosen at
 * start-up ({@link Backends#get()}); {@code scalar} is the readable reference every other backend is
 * tested against.
 *
 * <p>Conventions, the same for every operation:
 * <ul>
 *   <li>Activations are float32 {@link FloatBuf}s allocated by this backend ({@link #alloc}); a batch of
 *       {@code n} rows of width {@code d} is row-major {@code [n, d]}.</li>
 *   <li>Weights are {@link WeightMatrix} [out, in] in their stored format; pass them through
 *       {@link #upload} once at load time (a no-op on the CPU backends).</li>
 *   <li>{@code out} may not alias an input unless the method says it may.</li>
 *   <li>A backend may run operations asynchronously (the {@code opencl} backend enqueues them on one
 *       in-order device queue): each operation sees the results of those called before it, and the host
 *       sees them at the points that read back, {@link FloatBuf#read} (and {@code toArray}),
 *       {@link HalfBuf#read} and {@link #argmax}. Host arrays passed in ({@code ids}, {@code positions},
 *       {@code invFreq}, {@code windows}) may be reused as soon as the call returns.</li>
 * </ul>
 */
public interface Kernels {

    /** Short backend name for logs: "scalar", "vector(256)", ... */
    String name();

    /** A zero-filled buffer of {@code size} floats owned by this backend. */
    FloatBuf alloc(int size);

    /** A zero-filled float16 buffer of {@code size} values owned by this backend (KV cache storage). */
    HalfBuf allocHalf(int size);

    /** A buffer holding a copy of {@code data}. */
    default FloatBuf upload(float[] data) {
        return alloc(data.length).write(data);
    }

    /** Makes a weight matrix usable by this backend (the CPU backends use the mapped segment as is). */
    default WeightMatrix upload(WeightMatrix w) {
        return w;
    }

    // ---- linear algebra -------------------------------------------------------------------------

    /**
     * {@code out[i, r] = sum_c w[r, c] * x[i, c] (+ bias[r])} for {@code i < n}: x is [n, w.cols],
     * out is [n, w.rows], bias (nullable) is [w.rows].
     */
    void matmul(WeightMatrix w, FloatBuf x, int n, FloatBuf out, FloatBuf bias);

    /** {@link #matmul} with one row: out[w.rows] = w . x[w.cols] (+ bias). */
    default void matvec(WeightMatrix w, FloatBuf x, FloatBuf out, FloatBuf bias) {
        matmul(w, x, 1, out, bias);
    }

    /** Rows {@code ids[i]} of an embedding table [vocab, d], dequantized into out [ids.length, d]. */
    void embed(WeightMatrix table, int[] ids, FloatBuf out);

    /**
     * The index (from {@code off}) of the largest of {@code x[off .. off + n)}, ties to the lowest index, for
     * a greedy decision that reads back one int instead of a row of logits. When the range holds a NaN or
     * an infinity the answer is {@code -1 - i}, with i the index of the first such value (see
     * {@link #nonFiniteAt}): a decision never rests on non-finite numbers unnoticed. This is a point where
     * the results of the operations enqueued before it are complete.
     */
    int argmax(FloatBuf x, int off, int n);

    /** The index of the first non-finite value behind a negative {@link #argmax} result. */
    static int nonFiniteAt(int argmaxResult) {
        if (argmaxResult >= 0) {
            throw new IllegalArgumentException("argmax result " + argmaxResult + " is an index, not a non-finite mark");
        }
        return -1 - argmaxResult;
    }

    // ---- element-wise and normalisation ---------------------------------------------------------

    /** out = a + b over {@code n} floats (out may alias a or b). */
    void add(FloatBuf a, FloatBuf b, FloatBuf out, int n);

    /**
     * RMSNorm over each of {@code n} rows of width {@code d}:
     * {@code out = x / sqrt(mean(x^2) + eps) * weight}, accumulated in float32 (out may alias x).
     */
    void rmsNorm(FloatBuf x, FloatBuf weight, float eps, int n, int d, FloatBuf out);

    /** LayerNorm over each of {@code n} rows of width {@code d}, affine (out may alias x). */
    void layerNorm(FloatBuf x, FloatBuf weight, FloatBuf bias, float eps, int n, int d, FloatBuf out);

    /** Softmax in place over each of {@code n} rows of width {@code d}. */
    void softmax(FloatBuf x, int n, int d);

    /** Exact (erf) GELU in place over {@code n} floats: 0.5 x (1 + erf(x / sqrt 2)). */
    void gelu(FloatBuf x, int n);

    /** out = silu(gate) * up over {@code n} floats, silu(g) = g / (1 + exp(-g)) (out may alias gate). */
    void siluMul(FloatBuf gate, FloatBuf up, FloatBuf out, int n);

    /**
     * Rotary embedding, rotate-half convention, in place on x [n, heads * headDim]: for token t, head h
     * and i &lt; headDim/2, angle = (float) positions[posOff + t] * invFreq[i] (a float32 product), and
     * (x1, x2) = (x[i], x[i + headDim/2]) becomes (x1 cos - x2 sin, x2 cos + x1 sin).
     */
    void rope(FloatBuf x, int n, int heads, int headDim, float[] positions, int posOff, float[] invFreq);

    // ---- convolution and pooling (time-major [T, C] activations) ---------------------------------

    /**
     * 1-D convolution, kernel 3, padding 1, stride 1 or 2, over x [tIn, cIn] (time-major).
     * The weight is PyTorch's [cOut, cIn, 3] seen as a matrix [cOut, cIn * 3]; out is
     * [tOut, cOut] with tOut = (tIn - 1) / stride + 1.
     */
    void conv1d3(WeightMatrix w, FloatBuf bias, FloatBuf x, int tIn, int stride, FloatBuf out);

    /** Average pooling by 2 over time: x [t, d] to out [t / 2, d] (floor, as nn.AvgPool1d(2, 2)). */
    void avgPool2(FloatBuf x, int t, int d, FloatBuf out);

    // ---- attention -------------------------------------------------------------------------------

    /**
     * Causal grouped-query attention over a KV cache. q is [n, heads * headDim] for the tokens at
     * positions {@code start .. start + n - 1}; the caches are [capacity, kvHeads * headDim] and already
     * hold keys and values for positions {@code 0 .. start + n - 1}. Query t attends to cache rows
     * {@code 0 .. start + t}; head h uses KV head {@code h / (heads / kvHeads)}; scores are scaled by
     * 1/sqrt(headDim). out is [n, heads * headDim].
     */
    void attentionCausal(FloatBuf q, FloatBuf kCache, FloatBuf vCache, int start, int n,
                         int heads, int kvHeads, int headDim, FloatBuf out);

    /**
     * {@link #attentionCausal(FloatBuf, FloatBuf, FloatBuf, int, int, int, int, int, FloatBuf)} over a
     * float16 KV cache: the same result as over the cache's values widened to float32.
     */
    void attentionCausal(FloatBuf q, HalfBuf kCache, HalfBuf vCache, int start, int n,
                         int heads, int kvHeads, int headDim, FloatBuf out);

    /**
     * Bidirectional multi-head attention restricted to windows: q, k, v, out are [t, heads * headDim]
     * with t = sum(windows); the tokens of window w attend only to each other. Scale 1/sqrt(headDim).
     */
    void attentionWindowed(FloatBuf q, FloatBuf k, FloatBuf v, int[] windows,
                           int heads, int headDim, FloatBuf out);
}
