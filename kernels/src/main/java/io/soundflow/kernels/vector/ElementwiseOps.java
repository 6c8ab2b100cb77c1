package io.soundflow.kernels.vector;

import java.lang.invoke.MethodHandles;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;

/**
 * Element-wise maps, row normalisations, softmax, pooling and RoPE over heap activations, float32
 * throughout, with scalar loops for the tails. A width template (see {@link Widths}).
 */
final class ElementwiseOps implements Family.Elementwise {
    static final int BITS = Widths.bitsOf(MethodHandles.lookup());
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
    static final int L = F.length();

    public ElementwiseOps() {
    }

    @Override
    public void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int ub = F.loopBound(n), i = 0;
        for (; i < ub; i += L) {
            FloatVector.fromArray(F, a, ao + i).add(FloatVector.fromArray(F, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            out[oo + i] = a[ao + i] + b[bo + i];
        }
    }

    /**
     * Two passes, both vectorised: the running lane-wise maximum with a lane-wise finiteness test
     * ({@code v - v} is 0 exactly for finite v), then the first index holding the maximum. A range with a
     * non-finite value is scanned once more, scalar, for the first such index.
     */
    @Override
    public int argmax(float[] x, int xo, int n) {
        int ub = F.loopBound(n), i = 0;
        FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), bad = FloatVector.zero(F);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            max = max.lanewise(MAX, v);
            bad = bad.add(v.sub(v));
        }
        float m = max.reduceLanes(MAX);
        boolean finite = bad.reduceLanes(ADD) == 0f;
        for (; i < n; i++) {
            float v = x[xo + i];
            finite &= Float.isFinite(v);
            m = Math.max(m, v);
        }
        if (!finite) {
            for (int j = 0; j < n; j++) {
                if (!Float.isFinite(x[xo + j])) {
                    return -1 - j;
                }
            }
        }
        int j = 0;
        for (; j < ub; j += L) {
            VectorMask<Float> hit = FloatVector.fromArray(F, x, xo + j).compare(EQ, m);
            if (hit.anyTrue()) {
                return j + hit.firstTrue();
            }
        }
        for (; j < n; j++) {
            if (x[xo + j] == m) {
                return j;
            }
        }
        throw new IllegalStateException("argmax: the maximum " + m + " was not found again"); // cannot happen for finite x
    }

    @Override
    public void rmsNorm(float[] x, int xo, float[] w, int wo, float eps, int n, int d, float[] out, int oo) {
        int ub = F.loopBound(d);
        for (int r = 0; r < n; r++) {
            int o = xo + r * d, q = oo + r * d;
            FloatVector acc = FloatVector.zero(F);
            int j = 0;
            for (; j < ub; j += L) {
                FloatVector v = FloatVector.fromArray(F, x, o + j);
                acc = v.fma(v, acc);
            }
            float ss = acc.reduceLanes(ADD);
            for (; j < d; j++) {
                ss += x[o + j] * x[o + j];
            }
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            j = 0;
            for (; j < ub; j += L) {
                FloatVector.fromArray(F, x, o + j).mul(inv).mul(FloatVector.fromArray(F, w, wo + j)).intoArray(out, q + j);
            }
            for (; j < d; j++) {
                out[q + j] = w[wo + j] * (x[o + j] * inv);
            }
        }
    }

    @Override
    public void layerNorm(float[] x, int xo, float[] w, int wo, float[] b, int bo, float eps, int n, int d,
                          float[] out, int oo) {
        int ub = F.loopBound(d);
        for (int r = 0; r < n; r++) {
            int o = xo + r * d, q = oo + r * d;
            float mean = sum(x, o, d) / d;
            FloatVector acc = FloatVector.zero(F);
            int j = 0;
            for (; j < ub; j += L) {
                FloatVector c = FloatVector.fromArray(F, x, o + j).sub(mean);
                acc = c.fma(c, acc);
            }
            float var = acc.reduceLanes(ADD);
            for (; j < d; j++) {
                float c = x[o + j] - mean;
                var += c * c;
            }
            var /= d;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            j = 0;
            for (; j < ub; j += L) {
                FloatVector.fromArray(F, x, o + j).sub(mean).mul(inv)
                        .fma(FloatVector.fromArray(F, w, wo + j), FloatVector.fromArray(F, b, bo + j))
                        .intoArray(out, q + j);
            }
            for (; j < d; j++) {
                out[q + j] = (x[o + j] - mean) * inv * w[wo + j] + b[bo + j];
            }
        }
    }

    private static float sum(float[] x, int o, int d) {
        FloatVector acc = FloatVector.zero(F);
        int j = 0, ub = F.loopBound(d);
        for (; j < ub; j += L) {
            acc = acc.add(FloatVector.fromArray(F, x, o + j));
        }
        float s = acc.reduceLanes(ADD);
        for (; j < d; j++) {
            s += x[o + j];
        }
        return s;
    }

    @Override
    public void softmax(float[] x, int xo, int n, int d) {
        for (int r = 0; r < n; r++) {
            softmaxRow(x, xo + r * d, d);
        }
    }

    /** Numerically stable softmax of x[o .. o + d) in place. */
    static void softmaxRow(float[] x, int o, int d) {
        int ub = F.loopBound(d), j = 0;
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (; j < ub; j += L) {
            m = m.max(FloatVector.fromArray(F, x, o + j));
        }
        float max = m.reduceLanes(MAX);
        for (; j < d; j++) {
            max = Math.max(max, x[o + j]);
        }
        FloatVector acc = FloatVector.zero(F);
        j = 0;
        for (; j < ub; j += L) {
            FloatVector e = FloatVector.fromArray(F, x, o + j).sub(max).lanewise(EXP);
            e.intoArray(x, o + j);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(ADD);
        for (; j < d; j++) {
            float e = (float) Math.exp(x[o + j] - max);
            x[o + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        j = 0;
        for (; j < ub; j += L) {
            FloatVector.fromArray(F, x, o + j).mul(inv).intoArray(x, o + j);
        }
        for (; j < d; j++) {
            x[o + j] *= inv;
        }
    }

    @Override
    public void gelu(float[] x, int xo, int n) {
        int ub = F.loopBound(n), i = 0;
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector e = erfcHalf(v.lanewise(ABS).mul(0.70710678f));
            // gelu = 0.5 x erfc(-x / sqrt 2): for x >= 0 that is x - 0.5 x erfc(x / sqrt 2)
            FloatVector half = v.mul(0.5f).mul(e);
            v.sub(half).blend(half, v.compare(LT, 0f)).intoArray(x, xo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            float e = erfc(Math.abs(v) * 0.70710678f);
            float half = 0.5f * v * e;
            x[xo + i] = v < 0f ? half : v - half;
        }
    }

    /**
     * erfc(z) for z &gt;= 0 (Numerical Recipes' Chebyshev fit, fractional error below 1.2e-7 everywhere),
     * so GELU keeps its relative accuracy in the negative tail where 1 + erf cancels.
     */
    private static FloatVector erfcHalf(FloatVector z) {
        FloatVector t = z.fma(0.5f, 1f);
        t = FloatVector.broadcast(F, 1f).div(t);
        FloatVector p = t.fma(0.17087277f, -0.82215223f);
        p = p.fma(t, FloatVector.broadcast(F, 1.48851587f));
        p = p.fma(t, FloatVector.broadcast(F, -1.13520398f));
        p = p.fma(t, FloatVector.broadcast(F, 0.27886807f));
        p = p.fma(t, FloatVector.broadcast(F, -0.18628806f));
        p = p.fma(t, FloatVector.broadcast(F, 0.09678418f));
        p = p.fma(t, FloatVector.broadcast(F, 0.37409196f));
        p = p.fma(t, FloatVector.broadcast(F, 1.00002368f));
        p = p.fma(t, FloatVector.broadcast(F, -1.26551223f));
        return t.mul(p.sub(z.mul(z)).lanewise(EXP));
    }

    private static float erfc(float z) {
        float t = 1f / (1f + 0.5f * z);
        float p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
                + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
        return t * (float) Math.exp(p - z * z);
    }

    @Override
    public void siluMul(float[] g, int go, float[] u, int uo, float[] out, int oo, int n) {
        int ub = F.loopBound(n), i = 0;
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(F, g, go + i);
            v.div(v.neg().lanewise(EXP).add(1f)).mul(FloatVector.fromArray(F, u, uo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            float v = g[go + i];
            out[oo + i] = v / (1f + (float) Math.exp(-v)) * u[uo + i];
        }
    }

    @Override
    public void avgPool2(float[] x, int xo, int t, int d, float[] out, int oo) {
        int ub = F.loopBound(d);
        for (int i = 0; i < t / 2; i++) {
            int a = xo + 2 * i * d, b = a + d, o = oo + i * d, j = 0;
            for (; j < ub; j += L) {
                FloatVector.fromArray(F, x, a + j).add(FloatVector.fromArray(F, x, b + j)).mul(0.5f).intoArray(out, o + j);
            }
            for (; j < d; j++) {
                out[o + j] = (x[a + j] + x[b + j]) * 0.5f;
            }
        }
    }

    @Override
    public void rope(float[] x, int xo, int n, int heads, int headDim, float[] positions, int posOff, float[] invFreq) {
        int half = headDim / 2;
        float[] cos = new float[half], sin = new float[half];
        int ub = F.loopBound(half);
        for (int t = 0; t < n; t++) {
            float p = positions[posOff + t];
            for (int i = 0; i < half; i++) {
                float angle = p * invFreq[i];
                cos[i] = (float) Math.cos(angle);
                sin[i] = (float) Math.sin(angle);
            }
            for (int h = 0; h < heads; h++) {
                int o = xo + (t * heads + h) * headDim, i = 0;
                for (; i < ub; i += L) {
                    FloatVector x1 = FloatVector.fromArray(F, x, o + i), x2 = FloatVector.fromArray(F, x, o + half + i);
                    FloatVector c = FloatVector.fromArray(F, cos, i), s = FloatVector.fromArray(F, sin, i);
                    x1.mul(c).sub(x2.mul(s)).intoArray(x, o + i);
                    x2.mul(c).add(x1.mul(s)).intoArray(x, o + half + i);
                }
                for (; i < half; i++) {
                    float x1 = x[o + i], x2 = x[o + half + i];
                    x[o + i] = x1 * cos[i] - x2 * sin[i];
                    x[o + half + i] = x2 * cos[i] + x1 * sin[i];
                }
            }
        }
    }
}
