package io.soundflow.engine.model;

/**
 * A deliberately plain double-precision Qwen2.5 decoder over a {@link TinyCheckpoint}'s values, written from
 * the spec and sharing no code with the engine: the reference the generated-model tests compare against.
 */
final class NaiveDecoder {
    private final TinyCheckpoint c;

    NaiveDecoder(TinyCheckpoint c) {
        this.c = c;
    }

    /** Logits [ids.length, vocab] of a full causal forward from position 0. */
    double[][] logits(int[] ids, float[][] audioRows, int[] audioSlots) {
        int n = ids.length, d = c.hidden, hd = c.headDim, q = c.heads * hd, kv = c.kvHeads * hd;
        float[] emb = c.get("thinker.model.embed_tokens.weight");
        double[][] x = new double[n][d];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < d; j++) {
                x[t][j] = emb[ids[t] * d + j];
            }
        }
        for (int s = 0; s < audioSlots.length; s++) {
            for (int j = 0; j < d; j++) {
                x[audioSlots[s]][j] = audioRows[s][j];
            }
        }
        for (int l = 0; l < c.layers; l++) {
            String p = "thinker.model.layers." + l + ".";
            double[][] h = rms(x, c.get(p + "input_layernorm.weight"));
            double[][] qs = lin(h, c.get(p + "self_attn.q_proj.weight"), c.get(p + "self_attn.q_proj.bias"), q);
            double[][] ks = lin(h, c.get(p + "self_attn.k_proj.weight"), c.get(p + "self_attn.k_proj.bias"), kv);
            double[][] vs = lin(h, c.get(p + "self_attn.v_proj.weight"), c.get(p + "self_attn.v_proj.bias"), kv);
            rope(qs, c.heads);
            rope(ks, c.kvHeads);
            double[][] att = new double[n][q];
            int group = c.heads / c.kvHeads;
            for (int t = 0; t < n; t++) {
                for (int hh = 0; hh < c.heads; hh++) {
                    int g = hh / group;
                    double[] sc = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        double dot = 0;
                        for (int j = 0; j < hd; j++) {
                            dot += qs[t][hh * hd + j] * ks[s][g * hd + j];
                        }
                        sc[s] = dot / Math.sqrt(hd);
                        max = Math.max(max, sc[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) {
                        sc[s] = Math.exp(sc[s] - max);
                        sum += sc[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        for (int j = 0; j < hd; j++) {
                            att[t][hh * hd + j] += sc[s] / sum * vs[s][g * hd + j];
                        }
                    }
                }
            }
            add(x, lin(att, c.get(p + "self_attn.o_proj.weight"), null, d));
            h = rms(x, c.get(p + "post_attention_layernorm.weight"));
            double[][] gate = lin(h, c.get(p + "mlp.gate_proj.weight"), null, c.ffn);
            double[][] up = lin(h, c.get(p + "mlp.up_proj.weight"), null, c.ffn);
            for (int t = 0; t < n; t++) {
                for (int j = 0; j < c.ffn; j++) {
                    double g = gate[t][j];
                    gate[t][j] = g / (1 + Math.exp(-g)) * up[t][j];
                }
            }
            add(x, lin(gate, c.get(p + "mlp.down_proj.weight"), null, d));
        }
        double[][] f = rms(x, c.get("thinker.model.norm.weight"));
        float[] head = c.tied ? emb : c.get("thinker.lm_head.weight");
        return lin(f, head, null, c.vocab);
    }

    private void rope(double[][] a, int heads) {
        int hd = c.headDim, half = hd / 2;
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < half; i++) {
                float inv = 1f / (float) Math.pow(10000.0, (float) (2 * i) / hd);
                double ang = (float) t * inv; // float32 product, as the spec says
                double cos = Math.cos(ang), sin = Math.sin(ang);
                for (int h = 0; h < heads; h++) {
                    int o = h * hd + i;
                    double x1 = a[t][o], x2 = a[t][o + half];
                    a[t][o] = x1 * cos - x2 * sin;
                    a[t][o + half] = x2 * cos + x1 * sin;
                }
            }
        }
    }

    private static double[][] rms(double[][] x, float[] w) {
        double[][] out = new double[x.length][w.length];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double v : x[t]) {
                ss += v * v;
            }
            double inv = 1 / Math.sqrt(ss / w.length + 1e-6);
            for (int j = 0; j < w.length; j++) {
                out[t][j] = x[t][j] * inv * w[j];
            }
        }
        return out;
    }

    /** x [T, cols] times w [rows, cols] transposed, plus b [rows] when non-null: [T, rows] in double. */
    static double[][] lin(double[][] x, float[] w, float[] b, int rows) {
        int cols = x[0].length;
        double[][] out = new double[x.length][rows];
        for (int t = 0; t < x.length; t++) {
            for (int r = 0; r < rows; r++) {
                double s = b == null ? 0 : b[r];
                for (int k = 0; k < cols; k++) {
                    s += (double) w[r * cols + k] * x[t][k];
                }
                out[t][r] = s;
            }
        }
        return out;
    }

    /** x += y elementwise. */
    static void add(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) {
            for (int j = 0; j < x[t].length; j++) {
                x[t][j] += y[t][j];
            }
        }
    }
}
