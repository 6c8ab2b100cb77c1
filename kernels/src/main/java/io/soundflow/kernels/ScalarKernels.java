package io.soundflow.kernels;

import org.apache.commons.numbers.gamma.Erf;

/**
 * The reference backend: plain loops, one thread, float32 accumulation in the natural order.
 * Every other backend is tested against this one; keep it obviously correct rather than fast.
 */
public class ScalarKernels implements Kernels {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public FloatBuf alloc(int size) {
        return new HeapFloatBuf(size);
    }

    @Override
    public HalfBuf allocHalf(int size) {
        return new HeapHalfBuf(size);
    }

    @Override
    public void matmul(WeightMatrix w, FloatBuf xb, int n, FloatBuf outb, FloatBuf biasb) {
        HeapFloatBuf x = HeapFloatBuf.of(xb), out = HeapFloatBuf.of(outb);
        Checks.matmul(w, x.len, n, out.len, biasb);
        float[] row = new float[w.cols()];
        float[] bias = biasb == null ? null : biasb.toArray();
        for (int r = 0; r < w.rows(); r++) {
            w.dequantizeRow(r, row, 0);
            for (int i = 0; i < n; i++) {
                int xo = x.off + i * w.cols();
                float s = 0f;
                for (int c = 0; c < w.cols(); c++) {
                    s += row[c] * x.a[xo + c];
                }
                out.a[out.off + i * w.rows() + r] = bias == null ? s : s + bias[r];
            }
        }
    }

    @Override
    public void embed(WeightMatrix table, int[] ids, FloatBuf outb) {
        HeapFloatBuf out = HeapFloatBuf.of(outb);
        Checks.embed(table, ids, out.len);
        for (int i = 0; i < ids.length; i++) {
            table.dequantizeRow(ids[i], out.a, out.off + i * table.cols());
        }
    }

    @Override
    public void add(FloatBuf ab, FloatBuf bb, FloatBuf outb, int n) {
        HeapFloatBuf a = HeapFloatBuf.of(ab), b = HeapFloatBuf.of(bb), out = HeapFloatBuf.of(outb);
        Checks.sizes(n, a.len, b.len, out.len);
        for (int i = 0; i < n; i++) {
            out.a[out.off + i] = a.a[a.off + i] + b.a[b.off + i];
        }
    }

    @Override
    public void rmsNorm(FloatBuf xb, FloatBuf wb, float eps, int n, int d, FloatBuf outb) {
        HeapFloatBuf x = HeapFloatBuf.of(xb), w = HeapFloatBuf.of(wb), out = HeapFloatBuf.of(outb);
        Checks.sizes((long) n * d, x.len, out.len);
        Checks.sizes(d, w.len);
        for (int i = 0; i < n; i++) {
            int o = i * d;
            float ss = 0f;
            for (int j = 0; j < d; j++) {
                float v = x.a[x.off + o + j];
                ss += v * v;
            }
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            for (int j = 0; j < d; j++) {
                out.a[out.off + o + j] = w.a[w.off + j] * (x.a[x.off + o + j] * inv);
            }
        }
    }

    @Override
    public void layerNorm(FloatBuf xb, FloatBuf wb, FloatBuf bb, float eps, int n, int d, FloatBuf outb) {
        HeapFloatBuf x = HeapFloatBuf.of(xb), w = HeapFloatBuf.of(wb), b = HeapFloatBuf.of(bb),
                out = HeapFloatBuf.of(outb);
        Checks.sizes((long) n * d, x.len, out.len);
        Checks.sizes(d, w.len, b.len);
        for (int i = 0; i < n; i++) {
            int o = i * d;
            float mean = 0f;
            for (int j = 0; j < d; j++) {
                mean += x.a[x.off + o + j];
            }
            mean /= d;
            float var = 0f;
            for (int j = 0; j < d; j++) {
                float c = x.a[x.off + o + j] - mean;
                var += c * c;
            }
            var /= d;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            for (int j = 0; j < d; j++) {
                out.a[out.off + o + j] = (x.a[x.off + o + j] - mean) * inv * w.a[w.off + j] + b.a[b.off + j];
            }
        }
    }

    @Override
    public int argmax(FloatBuf xb, int off, int n) {
        HeapFloatBuf x = HeapFloatBuf.of(xb);
        Checks.range(off, n, x.len, "argmax");
        int best = 0;
        float bv = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = x.a[x.off + off + i];
            if (!Float.isFinite(v)) {
                return -1 - i;
            }
            if (i == 0 || v > bv) {
                bv = v;
                best = i;
            }
        }
        return best;
    }

    @Override
    public void softmax(FloatBuf xb, int n, int d) {
        HeapFloatBuf x = HeapFloatBuf.of(xb);
        Checks.sizes((long) n * d, x.len);
        for (int i = 0; i < n; i++) {
            softmaxRow(x.a, x.off + i * d, d);
        }
    }

    /** Numerically stable softmax of a[off .. off + d) in place. */
    static void softmaxRow(float[] a, int off, int d) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < d; j++) {
            max = Math.max(max, a[off + j]);
        }
        float sum = 0f;
        for (int j = 0; j < d; j++) {
            float e = (float) Math.exp(a[off + j] - max);
            a[off + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < d; j++) {
            a[off + j] *= inv;
        }
    }

    @Override
    public void gelu(FloatBuf xb, int n) {
        HeapFloatBuf x = HeapFloatBuf.of(xb);
        Checks.sizes(n, x.len);
        for (int i = 0; i < n; i++) {
            x.a[x.off + i] = gelu(x.a[x.off + i]);
        }
    }

    /** Exact GELU of one value: erf evaluated in double, rounded once to float. */
    public static float gelu(float v) {
        return (float) (0.5 * v * (1.0 + Erf.value(v * 0.7071067811865476)));
    }

    @Override
    public void siluMul(FloatBuf gb, FloatBuf ub, FloatBuf outb, int n) {
        HeapFloatBuf g = HeapFloatBuf.of(gb), u = HeapFloatBuf.of(ub), out = HeapFloatBuf.of(outb);
        Checks.sizes(n, g.len, u.len, out.len);
        for (int i = 0; i < n; i++) {
            float v = g.a[g.off + i];
            float silu = v / (1f + (float) Math.exp(-v));
            out.a[out.off + i] = silu * u.a[u.off + i];
        }
    }

    @Override
    public void rope(FloatBuf xb, int n, int heads, int headDim, float[] positions, int posOff, float[] invFreq) {
        HeapFloatBuf x = HeapFloatBuf.of(xb);
        Checks.rope(x.len, n, heads, headDim, positions, posOff, invFreq);
        int half = headDim / 2;
        for (int t = 0; t < n; t++) {
            float p = positions[posOff + t];
            for (int i = 0; i < half; i++) {
                float angle = p * invFreq[i];
                float cos = (float) Math.cos(angle), sin = (float) Math.sin(angle);
                for (int h = 0; h < heads; h++) {
                    int o = x.off + t * heads * headDim + h * headDim + i;
                    float x1 = x.a[o], x2 = x.a[o + half];
                    x.a[o] = x1 * cos - x2 * sin;
                    x.a[o + half] = x2 * cos + x1 * sin;
                }
            }
        }
    }

    @Override
    public void conv1d3(WeightMatrix w, FloatBuf biasb, FloatBuf xb, int tIn, int stride, FloatBuf outb) {
        HeapFloatBuf x = HeapFloatBuf.of(xb), out = HeapFloatBuf.of(outb);
        int cOut = w.rows(), cIn = w.cols() / 3;
        int tOut = Checks.conv1d3(w, biasb, x.len, tIn, stride, out.len);
        float[] row = new float[w.cols()];
        float[] bias = biasb == null ? null : biasb.toArray();
        for (int co = 0; co < cOut; co++) {
            w.dequantizeRow(co, row, 0);
            for (int t = 0; t < tOut; t++) {
                float s = 0f;
                for (int ci = 0; ci < cIn; ci++) {
                    for (int k = 0; k < 3; k++) {
                        int ti = t * stride + k - 1;
                        if (ti >= 0 && ti < tIn) {
                            s += row[ci * 3 + k] * x.a[x.off + ti * cIn + ci];
                        }
                    }
                }
                out.a[out.off + t * cOut + co] = bias == null ? s : s + bias[co];
            }
        }
    }

    @Override
    public void avgPool2(FloatBuf xb, int t, int d, FloatBuf outb) {
        HeapFloatBuf x = HeapFloatBuf.of(xb), out = HeapFloatBuf.of(outb);
        Checks.sizes((long) t * d, x.len);
        Checks.sizes((long) (t / 2) * d, out.len);
        for (int i = 0; i < t / 2; i++) {
            for (int j = 0; j < d; j++) {
                out.a[out.off + i * d + j] = (x.a[x.off + 2 * i * d + j] + x.a[x.off + (2 * i + 1) * d + j]) * 0.5f;
            }
        }
    }

    @Override
    public void attentionCausal(FloatBuf qb, FloatBuf kb, FloatBuf vb, int start, int n,
                                int heads, int kvHeads, int headDim, FloatBuf outb) {
        HeapFloatBuf q = HeapFloatBuf.of(qb), k = HeapFloatBuf.of(kb), v = HeapFloatBuf.of(vb),
                out = HeapFloatBuf.of(outb);
        Checks.attentionCausal(q.len, k.len, v.len, out.len, start, n, heads, kvHeads, headDim);
        int group = heads / kvHeads, qStride = heads * headDim, kvStride = kvHeads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] scores = new float[start + n];
        for (int t = 0; t < n; t++) {
            int len = start + t + 1;
            for (int h = 0; h < heads; h++) {
                int qo = q.off + t * qStride + h * headDim;
                int kvo = (h / group) * headDim;
                for (int s = 0; s < len; s++) {
                    float dot = 0f;
                    for (int j = 0; j < headDim; j++) {
                        dot += q.a[qo + j] * k.a[k.off + s * kvStride + kvo + j];
                    }
                    scores[s] = dot * scale;
                }
                softmaxRow(scores, 0, len);
                int oo = out.off + t * qStride + h * headDim;
                for (int j = 0; j < headDim; j++) {
                    float acc = 0f;
                    for (int s = 0; s < len; s++) {
                        acc += scores[s] * v.a[v.off + s * kvStride + kvo + j];
                    }
                    out.a[oo + j] = acc;
                }
            }
        }
    }

    /** The float16 cache widened to float32 rows 0 .. start + n - 1, then the float32 attention. */
    @Override
    public void attentionCausal(FloatBuf q, HalfBuf kb, HalfBuf vb, int start, int n,
                                int heads, int kvHeads, int headDim, FloatBuf out) {
        Checks.attentionCausal(q.size(), kb.size(), vb.size(), out.size(), start, n, heads, kvHeads, headDim);
        int used = (start + n) * kvHeads * headDim;
        HeapFloatBuf k = new HeapFloatBuf(used), v = new HeapFloatBuf(used);
        kb.read(0, k.a, 0, used);
        vb.read(0, v.a, 0, used);
        attentionCausal(q, k, v, start, n, heads, kvHeads, headDim, out);
    }

    @Override
    public void attentionWindowed(FloatBuf qb, FloatBuf kb, FloatBuf vb, int[] windows,
                                  int heads, int headDim, FloatBuf outb) {
        HeapFloatBuf q = HeapFloatBuf.of(qb), k = HeapFloatBuf.of(kb), v = HeapFloatBuf.of(vb),
                out = HeapFloatBuf.of(outb);
        int t = Checks.attentionWindowed(q.len, k.len, v.len, out.len, windows, heads, headDim);
        int stride = heads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int maxW = 0;
        for (int w : windows) {
            maxW = Math.max(maxW, w);
        }
        float[] scores = new float[maxW];
        int w0 = 0;
        for (int w : windows) {
            for (int i = w0; i < w0 + w; i++) {
                for (int h = 0; h < heads; h++) {
                    int qo = q.off + i * stride + h * headDim;
                    for (int s = 0; s < w; s++) {
                        int ko = k.off + (w0 + s) * stride + h * headDim;
                        float dot = 0f;
                        for (int j = 0; j < headDim; j++) {
                            dot += q.a[qo + j] * k.a[ko + j];
                        }
                        scores[s] = dot * scale;
                    }
                    softmaxRow(scores, 0, w);
                    int oo = out.off + i * stride + h * headDim;
                    for (int j = 0; j < headDim; j++) {
                        float acc = 0f;
                        for (int s = 0; s < w; s++) {
                            acc += scores[s] * v.a[v.off + (w0 + s) * stride + h * headDim + j];
                        }
                        out.a[oo + j] = acc;
                    }
                }
            }
            w0 += w;
        }
        assert w0 == t;
    }
}
