package io.soundflow.kernels.vector;

import io.soundflow.kernels.HeapFloatBuf;
import io.soundflow.kernels.KernelPool;

import java.lang.invoke.MethodHandles;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * Causal grouped-query attention over a KV cache and bidirectional windowed attention. Each (token,
 * head) pair is one work item, split over {@link KernelPool}: scores by vector dot products over the
 * head dimension, a vector softmax, then the value rows accumulated with vector multiply-adds.
 * A float16 cache is widened lane-wise as it is read ({@link #widen}: the JDK 25 Vector API has no
 * half-float conversion, so it is done with integer lane operations, exactly).
 * A width template (see {@link Widths}).
 */
final class AttentionOps implements Family.Attention {
    static final int BITS = Widths.bitsOf(MethodHandles.lookup());
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
    static final int L = F.length();
    /** Shorts with as many lanes as {@link #F} (float16 cache rows), and their int widening. */
    static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(BITS / 2));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));
    /** 2^112: rebiases a float16 exponent (15) to a float32 one (127); exact for normal and subnormal values. */
    private static final float REBIAS = 0x1p112f;
    private static final int HALF_INF = 0x7c00 << 13;  // float16 exponent 31 (Inf/NaN), shifted to float32 position

    public AttentionOps() {
    }

    @Override
    public void causal(HeapFloatBuf q, HeapFloatBuf k, HeapFloatBuf v, int start, int n,
                       int heads, int kvHeads, int headDim, HeapFloatBuf out) {
        int group = heads / kvHeads, qStride = heads * headDim, kvStride = kvHeads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        KernelPool.get().forRange(n * heads, minItems(start + n, headDim), (a, b) -> {
            float[] scores = new float[start + n];
            for (int item = a; item < b; item++) {
                int t = item / heads, h = item % heads;
                head(q.a, q.off + t * qStride + h * headDim, k.a, v.a, k.off + (h / group) * headDim,
                        v.off + (h / group) * headDim, kvStride, start + t + 1, headDim, scale, scores,
                        out.a, out.off + t * qStride + h * headDim);
            }
        });
    }

    @Override
    public void causalHalf(HeapFloatBuf q, short[] k, short[] v, int start, int n,
                           int heads, int kvHeads, int headDim, HeapFloatBuf out) {
        int group = heads / kvHeads, qStride = heads * headDim, kvStride = kvHeads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        KernelPool.get().forRange(n * heads, minItems(start + n, headDim), (a, b) -> {
            float[] scores = new float[start + n];
            for (int item = a; item < b; item++) {
                int t = item / heads, h = item % heads;
                headHalf(q.a, q.off + t * qStride + h * headDim, k, v, (h / group) * headDim, kvStride,
                        start + t + 1, headDim, scale, scores, out.a, out.off + t * qStride + h * headDim);
            }
        });
    }

    @Override
    public void windowed(HeapFloatBuf q, HeapFloatBuf k, HeapFloatBuf v, int[] windows, int t,
                         int heads, int headDim, HeapFloatBuf out) {
        int stride = heads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int[] first = new int[t], len = new int[t];
        int maxW = 0;
        for (int w0 = 0, wi = 0; wi < windows.length; w0 += windows[wi++]) {
            for (int i = w0; i < w0 + windows[wi]; i++) {
                first[i] = w0;
                len[i] = windows[wi];
            }
            maxW = Math.max(maxW, windows[wi]);
        }
        int scoresLen = maxW;
        KernelPool.get().forRange(t * heads, minItems(maxW, headDim), (a, b) -> {
            float[] scores = new float[scoresLen];
            for (int item = a; item < b; item++) {
                int i = item / heads, h = item % heads;
                int kv = first[i] * stride + h * headDim;
                head(q.a, q.off + i * stride + h * headDim, k.a, v.a, k.off + kv, v.off + kv, stride, len[i],
                        headDim, scale, scores, out.a, out.off + i * stride + h * headDim);
            }
        });
    }

    private static int minItems(int keys, int headDim) {
        return Math.max(1, (1 << 15) / Math.max(1, keys * headDim));
    }

    /** One query row against {@code len} key/value rows {@code stride} apart; writes out[oo .. oo + headDim). */
    private static void head(float[] q, int qo, float[] k, float[] v, int ko, int vo, int stride, int len,
                             int headDim, float scale, float[] scores, float[] out, int oo) {
        for (int s = 0; s < len; s++) {
            scores[s] = dot(q, qo, k, ko + s * stride, headDim) * scale;
        }
        softmax(scores, len);
        int ub = F.loopBound(headDim);
        for (int j = 0; j < headDim; j++) {
            out[oo + j] = 0f;
        }
        for (int s = 0; s < len; s++) {
            float p = scores[s];
            FloatVector pv = FloatVector.broadcast(F, p);
            int vr = vo + s * stride, j = 0;
            for (; j < ub; j += L) {
                FloatVector.fromArray(F, v, vr + j).fma(pv, FloatVector.fromArray(F, out, oo + j)).intoArray(out, oo + j);
            }
            for (; j < headDim; j++) {
                out[oo + j] += p * v[vr + j];
            }
        }
    }

    /** {@link #head} over float16 key and value rows (both at offset {@code kvo} of their row). */
    private static void headHalf(float[] q, int qo, short[] k, short[] v, int kvo, int stride, int len,
                                 int headDim, float scale, float[] scores, float[] out, int oo) {
        for (int s = 0; s < len; s++) {
            scores[s] = dotHalf(q, qo, k, kvo + s * stride, headDim) * scale;
        }
        softmax(scores, len);
        int ub = F.loopBound(headDim);
        for (int j = 0; j < headDim; j++) {
            out[oo + j] = 0f;
        }
        for (int s = 0; s < len; s++) {
            float p = scores[s];
            FloatVector pv = FloatVector.broadcast(F, p);
            int vr = kvo + s * stride, j = 0;
            for (; j < ub; j += L) {
                widen(v, vr + j).fma(pv, FloatVector.fromArray(F, out, oo + j)).intoArray(out, oo + j);
            }
            for (; j < headDim; j++) {
                out[oo + j] += p * Float.float16ToFloat(v[vr + j]);
            }
        }
    }

    private static float dotHalf(float[] a, int ao, short[] b, int bo, int len) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0, ub = F.loopBound(len);
        for (; i < ub; i += L) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(widen(b, bo + i), acc);
        }
        float s = acc.reduceLanes(ADD);
        for (; i < len; i++) {
            s += a[ao + i] * Float.float16ToFloat(b[bo + i]);
        }
        return s;
    }

    /**
     * {@link #L} float16 bit patterns from {@code h[off..]} as floats, exactly as {@link Float#float16ToFloat}:
     * the magnitude bits move to the float32 position and a multiply by 2^112 rebiases the exponent
     * (subnormals included); exponent 31 becomes 255 (Inf, or a quiet NaN keeping its payload); the sign is copied.
     */
    static FloatVector widen(short[] h, int off) {
        IntVector bits = (IntVector) ShortVector.fromArray(H, h, off).convertShape(S2I, I, 0);
        IntVector mag = bits.and(0x7fff).lanewise(LSHL, 13);
        IntVector f = mag.reinterpretAsFloats().mul(REBIAS).reinterpretAsInts()
                .blend(mag.or(0x7f800000), mag.compare(GE, HALF_INF))   // Inf
                .blend(mag.or(0x7fc00000), mag.compare(GT, HALF_INF));  // NaN, quieted as float16ToFloat does
        return f.or(bits.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int len) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0, ub = F.loopBound(len);
        for (; i < ub; i += L) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float s = acc.reduceLanes(ADD);
        for (; i < len; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    private static void softmax(float[] x, int d) {
        int ub = F.loopBound(d), j = 0;
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (; j < ub; j += L) {
            m = m.max(FloatVector.fromArray(F, x, j));
        }
        float max = m.reduceLanes(MAX);
        for (; j < d; j++) {
            max = Math.max(max, x[j]);
        }
        FloatVector acc = FloatVector.zero(F);
        for (j = 0; j < ub; j += L) {
            FloatVector e = FloatVector.fromArray(F, x, j).sub(max).lanewise(EXP);
            e.intoArray(x, j);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(ADD);
        for (; j < d; j++) {
            x[j] = (float) Math.exp(x[j] - max);
            sum += x[j];
        }
        float inv = 1f / sum;
        for (j = 0; j < ub; j += L) {
            FloatVector.fromArray(F, x, j).mul(inv).intoArray(x, j);
        }
        for (; j < d; j++) {
            x[j] *= inv;
        }
    }
}
