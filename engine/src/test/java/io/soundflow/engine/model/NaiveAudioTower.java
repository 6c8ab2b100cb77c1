package io.soundflow.engine.model;

import org.apache.commons.numbers.gamma.Erf;

/**
 * A plain double-precision audio tower over a {@link TinyCheckpoint}'s values, written from the spec
 * (research/qwen25-omni-thinker.md section 3) and sharing no code with the engine.
 */
final class NaiveAudioTower {
    private final TinyCheckpoint c;
    private static final String A = "thinker.audio_tower.";

    NaiveAudioTower(TinyCheckpoint c) {
        this.c = c;
    }

    /** mel [bins][frames] to [n][hidden] with windows of {@code window} frames. */
    double[][] encode(double[][] mel, int window) {
        int frames = mel[0].length, d = c.audioD;
        java.util.List<double[]> rows = new java.util.ArrayList<>();
        java.util.List<Integer> lens = new java.util.ArrayList<>();
        for (int s = 0; s < frames; s += window) {
            int l = Math.min(window, frames - s);
            double[][] x = new double[l][c.melBins];
            for (int t = 0; t < l; t++) {
                for (int b = 0; b < c.melBins; b++) {
                    x[t][b] = mel[b][s + t];
                }
            }
            double[][] h1 = conv(x, c.get(A + "conv1.weight"), c.get(A + "conv1.bias"), c.melBins, 1);
            gelu(h1);
            double[][] h2 = conv(h1, c.get(A + "conv2.weight"), c.get(A + "conv2.bias"), d, 2);
            gelu(h2);
            for (int p = 0; p < h2.length; p++) { // positions restart in every window
                for (int j = 0; j < d / 2; j++) {
                    double inv = Math.exp(-Math.log(10000.0) / (d / 2 - 1) * j);
                    h2[p][j] += Math.sin(p * inv);
                    h2[p][d / 2 + j] += Math.cos(p * inv);
                }
                rows.add(h2[p]);
            }
            lens.add(h2.length);
        }
        double[][] h = rows.toArray(new double[0][]);
        for (int i = 0; i < c.audioLayers; i++) {
            String p = A + "layers." + i + ".";
            double[][] x = ln(h, p + "self_attn_layer_norm");
            double[][] q = lin(x, p + "self_attn.q_proj", true), k = lin(x, p + "self_attn.k_proj", false);
            double[][] v = lin(x, p + "self_attn.v_proj", true);
            double[][] att = new double[h.length][d];
            int hd = d / c.audioHeads, w0 = 0;
            for (int len : lens) {
                for (int t = w0; t < w0 + len; t++) {
                    for (int hh = 0; hh < c.audioHeads; hh++) {
                        double[] sc = new double[len];
                        double max = Double.NEGATIVE_INFINITY, sum = 0;
                        for (int s = 0; s < len; s++) {
                            double dot = 0;
                            for (int j = 0; j < hd; j++) {
                                dot += q[t][hh * hd + j] * k[w0 + s][hh * hd + j];
                            }
                            sc[s] = dot / Math.sqrt(hd);
                            max = Math.max(max, sc[s]);
                        }
                        for (int s = 0; s < len; s++) {
                            sc[s] = Math.exp(sc[s] - max);
                            sum += sc[s];
                        }
                        for (int s = 0; s < len; s++) {
                            for (int j = 0; j < hd; j++) {
                                att[t][hh * hd + j] += sc[s] / sum * v[w0 + s][hh * hd + j];
                            }
                        }
                    }
                }
                w0 += len;
            }
            NaiveDecoder.add(h, lin(att, p + "self_attn.out_proj", true));
            double[][] f = lin(ln(h, p + "final_layer_norm"), p + "fc1", true);
            gelu(f);
            NaiveDecoder.add(h, lin(f, p + "fc2", true));
        }
        double[][] pooled = new double[h.length / 2][d];
        for (int i = 0; i < pooled.length; i++) {
            for (int j = 0; j < d; j++) {
                pooled[i][j] = (h[2 * i][j] + h[2 * i + 1][j]) / 2;
            }
        }
        return lin(ln(pooled, A + "ln_post"), A + "proj", true);
    }

    private double[][] conv(double[][] x, float[] w, float[] b, int cIn, int stride) {
        int tIn = x.length, cOut = b.length, tOut = (tIn - 1) / stride + 1;
        double[][] out = new double[tOut][cOut];
        for (int t = 0; t < tOut; t++) {
            for (int o = 0; o < cOut; o++) {
                double s = b[o];
                for (int i = 0; i < cIn; i++) {
                    for (int kk = 0; kk < 3; kk++) {
                        int ti = t * stride + kk - 1;
                        if (ti >= 0 && ti < tIn) {
                            s += w[(o * cIn + i) * 3 + kk] * x[ti][i];
                        }
                    }
                }
                out[t][o] = s;
            }
        }
        return out;
    }

    private static void gelu(double[][] x) {
        for (double[] r : x) {
            for (int j = 0; j < r.length; j++) {
                r[j] = 0.5 * r[j] * (1 + Erf.value(r[j] / Math.sqrt(2)));
            }
        }
    }

    private double[][] ln(double[][] x, String name) {
        float[] w = c.get(name + ".weight"), b = c.get(name + ".bias");
        double[][] out = new double[x.length][w.length];
        for (int t = 0; t < x.length; t++) {
            double mean = 0, var = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= w.length;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= w.length;
            for (int j = 0; j < w.length; j++) {
                out[t][j] = (x[t][j] - mean) / Math.sqrt(var + 1e-5) * w[j] + b[j];
            }
        }
        return out;
    }

    private double[][] lin(double[][] x, String name, boolean bias) {
        float[] w = c.get(name + ".weight"), b = bias ? c.get(name + ".bias") : null;
        return NaiveDecoder.lin(x, w, b, w.length / x[0].length);
    }
}
