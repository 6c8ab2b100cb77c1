package io.soundflow.kernels;

import io.soundflow.kernels.vector.VectorKernels;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.Random;

import static io.soundflow.kernels.TestData.gaussian;
import static io.soundflow.kernels.TestData.relErr;
import static io.soundflow.kernels.TestData.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The scalar reference against independent double-precision definitions written from the PyTorch
 * semantics (not from the reference's loops), so the reference every backend is tested against is
 * proven rather than assumed. Tolerance: relative error of the whole output at most {@value #TOL}
 * (float32 accumulation against double).
 */
class ScalarReferenceTest {
    static final double TOL = 2e-6;
    /**
     * Norms sum d float32 values (mean, variance) before they divide: the worst case grows with d
     * (d x 2^-24, 1.2e-5 at d = 200); 2.87e-6 was seen on a random seed against TOL.
     */
    static final double NORM_TOL = 1.2e-5;
    final Kernels k = new ScalarKernels();

    @Property(tries = 30)
    void matmulWithBias(@ForAll @IntRange(min = 1, max = 9) int rows, @ForAll @IntRange(min = 1, max = 90) int cols,
                        @ForAll @IntRange(min = 1, max = 4) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] wv = uniform(rnd, rows * cols), x = uniform(rnd, n * cols), b = uniform(rnd, rows);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix w = Quantizer.fromFloats("w", wv, rows, cols, WeightFormat.F32, arena);
            FloatBuf out = k.alloc(n * rows);
            k.matmul(w, k.upload(x), n, out, k.upload(b));
            double[] want = new double[n * rows];
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < rows; r++) {
                    double s = b[r];
                    for (int c = 0; c < cols; c++) {
                        s += (double) wv[r * cols + c] * x[i * cols + c];
                    }
                    want[i * rows + r] = s;
                }
            }
            assertThat(relErr(want, out.toArray())).isLessThanOrEqualTo(TOL);
        }
    }

    @Property(tries = 30)
    void rmsNormAndLayerNorm(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 200) int d,
                             @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = gaussian(rnd, n * d, 2f), w = uniform(rnd, d), b = uniform(rnd, d);
        float eps = 1e-6f;
        double[] rms = new double[n * d], ln = new double[n * d];
        for (int i = 0; i < n; i++) {
            double ss = 0, mean = 0, var = 0;
            for (int j = 0; j < d; j++) {
                ss += (double) x[i * d + j] * x[i * d + j];
                mean += x[i * d + j];
            }
            mean /= d;
            for (int j = 0; j < d; j++) {
                var += (x[i * d + j] - mean) * (x[i * d + j] - mean);
            }
            var /= d; // biased variance, as nn.LayerNorm
            for (int j = 0; j < d; j++) {
                rms[i * d + j] = x[i * d + j] / Math.sqrt(ss / d + eps) * w[j];
                ln[i * d + j] = (x[i * d + j] - mean) / Math.sqrt(var + eps) * w[j] + b[j];
            }
        }
        FloatBuf o1 = k.alloc(n * d), o2 = k.alloc(n * d);
        k.rmsNorm(k.upload(x), k.upload(w), eps, n, d, o1);
        k.layerNorm(k.upload(x), k.upload(w), k.upload(b), eps, n, d, o2);
        assertThat(relErr(rms, o1.toArray())).isLessThanOrEqualTo(NORM_TOL);
        assertThat(relErr(ln, o2.toArray())).isLessThanOrEqualTo(NORM_TOL);
    }

    @Property(tries = 30)
    void softmaxSumsToOneAndMatchesExp(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 300) int d,
                                       @ForAll long seed) {
        float[] x = gaussian(new Random(seed), n * d, 10f);
        double[] want = new double[n * d];
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < d; j++) {
                z += Math.exp(x[i * d + j]);
            }
            for (int j = 0; j < d; j++) {
                want[i * d + j] = Math.exp(x[i * d + j]) / z;
            }
        }
        FloatBuf b = k.upload(x);
        k.softmax(b, n, d);
        assertThat(relErr(want, b.toArray())).isLessThanOrEqualTo(TOL);
    }

    @Test
    void softmaxIsStableForLargeInputs() {
        FloatBuf b = k.upload(new float[]{1000f, 1000f, -1000f});
        k.softmax(b, 1, 3);
        assertThat(b.toArray()).containsExactly(0.5f, 0.5f, 0f);
    }

    /** Exact GELU is x Phi(x); Phi from published tables of the standard normal CDF. */
    @Test
    void geluAgainstKnownNormalCdfValues() {
        double[][] xPhi = {{0, 0.5}, {0.5, 0.6914624612740131}, {1, 0.8413447460685429}, {2, 0.9772498680518208},
                {-1, 0.15865525393145707}, {-3, 0.0013498980316300946}, {3, 0.9986501019683699}};
        for (Kernels kk : new Kernels[]{k, new VectorKernels(128), new VectorKernels(256), new VectorKernels(512)}) {
            float[] x = new float[xPhi.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) xPhi[i][0];
            }
            FloatBuf b = kk.upload(x);
            kk.gelu(b, x.length);
            float[] y = b.toArray();
            for (int i = 0; i < x.length; i++) {
                double want = xPhi[i][0] * xPhi[i][1];
                assertThat((double) y[i]).as("%s gelu(%s)", kk.name(), x[i]).isCloseTo(want, within(2e-7 * Math.max(1, Math.abs(want))));
            }
        }
    }

    @Test
    void siluMul() {
        float[] g = {-20f, -1f, 0f, 0.5f, 3f}, u = {2f, 3f, 4f, -5f, 0.25f};
        FloatBuf o = k.alloc(5);
        k.siluMul(k.upload(g), k.upload(u), o, 5);
        for (int i = 0; i < 5; i++) {
            double want = g[i] / (1 + Math.exp(-g[i])) * u[i];
            assertThat((double) o.toArray()[i]).isCloseTo(want, within(1e-6 * Math.max(1, Math.abs(want))));
        }
    }

    @Property(tries = 30)
    void ropeRotateHalf(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 3) int heads,
                        @ForAll @IntRange(min = 1, max = 16) int half, @ForAll long seed) {
        Random rnd = new Random(seed);
        int hd = 2 * half;
        float[] x = uniform(rnd, n * heads * hd), pos = new float[n + 1], inv = new float[half];
        for (int t = 0; t <= n; t++) {
            pos[t] = Float.float16ToFloat(Float.floatToFloat16(rnd.nextInt(3000) + 0.5f)); // fp16-rounded positions
        }
        for (int i = 0; i < half; i++) {
            inv[i] = (float) (1.0 / Math.pow(10000.0, 2.0 * i / hd));
        }
        // HF: q * cos + rotate_half(q) * sin, rotate_half(q) = cat(-q2, q1); cos/sin of the float32 angle
        double[] want = new double[x.length];
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < hd; j++) {
                    int i = j % half;
                    double angle = pos[1 + t] * inv[i]; // float32 product
                    double rot = j < half ? -x[(t * heads + h) * hd + j + half] : x[(t * heads + h) * hd + j - half];
                    want[(t * heads + h) * hd + j] = x[(t * heads + h) * hd + j] * Math.cos((float) angle) + rot * Math.sin((float) angle);
                }
            }
        }
        FloatBuf b = k.upload(x);
        k.rope(b, n, heads, hd, pos, 1, inv);
        assertThat(relErr(want, b.toArray())).isLessThanOrEqualTo(TOL);
    }

    @Property(tries = 30)
    void conv1dKernel3Padding1(@ForAll @IntRange(min = 1, max = 12) int tIn, @ForAll @IntRange(min = 1, max = 2) int stride,
                               @ForAll @IntRange(min = 1, max = 5) int cIn, @ForAll @IntRange(min = 1, max = 6) int cOut,
                               @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] wv = uniform(rnd, cOut * cIn * 3), x = uniform(rnd, tIn * cIn), bias = uniform(rnd, cOut);
        int tOut = (tIn + 2 * 1 - 3) / stride + 1; // PyTorch: floor((L + 2p - k) / s) + 1
        double[] want = new double[tOut * cOut];
        for (int t = 0; t < tOut; t++) {
            for (int co = 0; co < cOut; co++) {
                double s = bias[co];
                for (int ci = 0; ci < cIn; ci++) {
                    for (int kk = 0; kk < 3; kk++) {
                        int src = t * stride - 1 + kk; // zero padding outside [0, tIn)
                        if (src >= 0 && src < tIn) {
                            s += (double) wv[(co * cIn + ci) * 3 + kk] * x[src * cIn + ci]; // weight [cOut, cIn, 3]
                        }
                    }
                }
                want[t * cOut + co] = s;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix w = Quantizer.fromFloats("conv", wv, cOut, cIn * 3, WeightFormat.F32, arena);
            FloatBuf out = k.alloc(tOut * cOut);
            k.conv1d3(w, k.upload(bias), k.upload(x), tIn, stride, out);
            assertThat(relErr(want, out.toArray())).isLessThanOrEqualTo(TOL);
        }
    }

    @Test
    void avgPool2FloorsOddLengths() {
        FloatBuf out = k.alloc(2 * 2);
        k.avgPool2(k.upload(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), 5, 2, out);
        assertThat(out.toArray()).containsExactly(2f, 3f, 6f, 7f);
    }

    @Property(tries = 30)
    void causalGroupedQueryAttention(@ForAll @IntRange(min = 0, max = 6) int start, @ForAll @IntRange(min = 1, max = 4) int n,
                                     @ForAll @IntRange(min = 1, max = 2) int kvHeads, @ForAll @IntRange(min = 1, max = 3) int group,
                                     @ForAll @IntRange(min = 1, max = 8) int hd, @ForAll long seed) {
        Random rnd = new Random(seed);
        int heads = kvHeads * group, total = start + n;
        float[] q = gaussian(rnd, n * heads * hd, 1f), kc = gaussian(rnd, total * kvHeads * hd, 1f),
                vc = gaussian(rnd, total * kvHeads * hd, 1f);
        // full score matrix with a causal mask (-inf above the diagonal), repeat_kv for the groups
        double[] want = new double[n * heads * hd];
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) {
                int kvh = h / group;
                double[] p = new double[total];
                double z = 0;
                for (int s = 0; s < total; s++) {
                    if (s > start + t) {
                        p[s] = 0; // masked
                        continue;
                    }
                    double dot = 0;
                    for (int j = 0; j < hd; j++) {
                        dot += (double) q[(t * heads + h) * hd + j] * kc[(s * kvHeads + kvh) * hd + j];
                    }
                    p[s] = Math.exp(dot / Math.sqrt(hd));
                    z += p[s];
                }
                for (int j = 0; j < hd; j++) {
                    double acc = 0;
                    for (int s = 0; s < total; s++) {
                        acc += p[s] / z * vc[(s * kvHeads + kvh) * hd + j];
                    }
                    want[(t * heads + h) * hd + j] = acc;
                }
            }
        }
        FloatBuf out = k.alloc(n * heads * hd);
        k.attentionCausal(k.upload(q), k.upload(kc), k.upload(vc), start, n, heads, kvHeads, hd, out);
        assertThat(relErr(want, out.toArray())).isLessThanOrEqualTo(1e-5);
    }

    @Property(tries = 30)
    void windowedAttentionIsBlockDiagonal(@ForAll @IntRange(min = 1, max = 2) int heads, @ForAll @IntRange(min = 1, max = 8) int hd,
                                          @ForAll long seed) {
        Random rnd = new Random(seed);
        int[] windows = rnd.ints(1 + rnd.nextInt(3), 1, 7).toArray();
        int t = java.util.Arrays.stream(windows).sum();
        int[] windowOf = new int[t];
        for (int w = 0, i = 0; w < windows.length; w++) {
            for (int j = 0; j < windows[w]; j++) {
                windowOf[i++] = w;
            }
        }
        float[] q = gaussian(rnd, t * heads * hd, 1f), kk = gaussian(rnd, t * heads * hd, 1f), vv = gaussian(rnd, t * heads * hd, 1f);
        double[] want = new double[t * heads * hd];
        for (int i = 0; i < t; i++) {
            for (int h = 0; h < heads; h++) {
                double[] p = new double[t];
                double z = 0;
                for (int s = 0; s < t; s++) {
                    if (windowOf[s] != windowOf[i]) {
                        continue; // block-diagonal mask (cu_seqlens)
                    }
                    double dot = 0;
                    for (int j = 0; j < hd; j++) {
                        dot += (double) q[(i * heads + h) * hd + j] * kk[(s * heads + h) * hd + j];
                    }
                    p[s] = Math.exp(dot / Math.sqrt(hd));
                    z += p[s];
                }
                for (int j = 0; j < hd; j++) {
                    double acc = 0;
                    for (int s = 0; s < t; s++) {
                        acc += p[s] / z * vv[(s * heads + h) * hd + j];
                    }
                    want[(i * heads + h) * hd + j] = acc;
                }
            }
        }
        FloatBuf out = k.alloc(t * heads * hd);
        k.attentionWindowed(k.upload(q), k.upload(kk), k.upload(vv), windows, heads, hd, out);
        assertThat(relErr(want, out.toArray())).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void embedCopiesDequantizedRows() {
        Random rnd = new Random(9);
        try (Arena arena = Arena.ofConfined()) {
            for (WeightFormat f : WeightFormat.values()) {
                WeightMatrix w = TestData.weights(rnd, f, 5, 64, arena);
                float[] all = w.toFloatArray();
                FloatBuf out = k.alloc(2 * 64);
                k.embed(w, new int[]{3, 0}, out);
                float[] o = out.toArray();
                for (int j = 0; j < 64; j++) {
                    assertThat(o[j]).isEqualTo(all[3 * 64 + j]);
                    assertThat(o[64 + j]).isEqualTo(all[j]);
                }
            }
        }
    }

    @Test
    void badArgumentsFailAtTheCall() {
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix w = TestData.weights(new Random(1), WeightFormat.F32, 4, 8, arena);
            for (Kernels kk : new Kernels[]{k, new VectorKernels()}) {
                assertThatThrownBy(() -> kk.matvec(w, kk.alloc(7), kk.alloc(4), null)).hasMessageContaining("x holds 7");
                assertThatThrownBy(() -> kk.matmul(w, kk.alloc(16), 2, kk.alloc(7), null)).hasMessageContaining("out holds 7");
                assertThatThrownBy(() -> kk.embed(w, new int[]{4}, kk.alloc(8))).hasMessageContaining("token id 4");
                assertThatThrownBy(() -> kk.attentionCausal(kk.alloc(8), kk.alloc(8), kk.alloc(8), 0, 1, 3, 2, 4, kk.alloc(8)))
                        .hasMessageContaining("grouped");
                assertThatThrownBy(() -> kk.conv1d3(w, null, kk.alloc(8), 3, 3, kk.alloc(8))).hasMessageContaining("stride 3");
                assertThatThrownBy(() -> kk.rope(kk.alloc(6), 1, 1, 3, new float[1], 0, new float[2])).hasMessageContaining("odd head dim");
            }
        }
    }
}
