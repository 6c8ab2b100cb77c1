package io.soundflow.tools.demo;

import io.soundflow.engine.DecoderCache;
import io.soundflow.engine.InteractionModel;
import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.audio.WindowedMel;
import io.soundflow.engine.model.AudioEncoderConfig;
import io.soundflow.engine.model.AudioLayer;
import io.soundflow.engine.model.AudioTower;
import io.soundflow.engine.model.DecoderLayer;
import io.soundflow.engine.model.KvCache;
import io.soundflow.engine.model.Linear;
import io.soundflow.engine.model.Norm;
import io.soundflow.engine.model.Probe;
import io.soundflow.engine.model.QkvProjection;
import io.soundflow.engine.model.TextDecoder;
import io.soundflow.engine.model.TextDecoderConfig;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo's tiny model: the Audio-Interaction architecture and token format (Qwen2.5 decoder with the
 * real 151,936-row vocabulary and control ids, the chunkwise audio tower with 10 vectors per 400 ms
 * chunk) at toy sizes (width 64, 2 layers each), with <b>random weights</b> built in memory from a fixed
 * seed. It is not trained and understands nothing: the rows of {@code lm_head} for the tokens the demo
 * uses are <b>steered</b> so that on the demo clip the greedy loop stays silent on quiet chunks, responds
 * on the beep chunks, and answers "[urgent] Alarm?" then TEXT_END.
 *
 * <p>Steering: the released loop is run once teacher-forced with the wanted decisions and replies (the
 * hidden states do not depend on {@code lm_head}), the final hidden state at every predicting position
 * is collected, and the target rows are solved by ridge least squares so that each wanted token scores
 * +{@value #SCALE} and the other steered tokens -{@value #SCALE} there; the random rows score about 1.
 * Greedy decoding then reproduces the teacher-forced sequence step by step.
 */
public final class DemoModel implements InteractionModel {
    static final float SCALE = 20f;
    static final TextDecoderConfig TEXT = new TextDecoderConfig(64, 2, 4, 2, 16, 128, 151_936, 1e-6f, 1e6, 32_768);
    static final AudioEncoderConfig AUDIO = new AudioEncoderConfig(128, 64, 2, 4, 128, 100, 1500, 64);

    private final AudioTower audio;
    private final TextDecoder text;
    /** Smallest (target - best other) logit over the steered steps. */
    private final double steeringMargin;

    private DemoModel(AudioTower audio, TextDecoder text, double margin) {
        this.audio = audio;
        this.text = text;
        this.steeringMargin = margin;
    }

    /**
     * Builds the model and steers it on {@code clip} (16 kHz, whole chunks) with the {@code windowed}
     * front end: {@code respond[i]} says which chunks answer, {@code reply} is the answer's ids (emotion
     * first, TEXT_END last), {@code prefix} the online prefix.
     */
    public static DemoModel build(Kernels k, float[] clip, boolean[] respond, int[] reply, int[] prefix) {
        Builder b = new Builder(k, 20261125L);
        AudioTower tower = b.audio();
        List<DecoderLayer> layers = b.layers();
        WeightMatrix embed = b.matrix(TEXT.vocab(), TEXT.hidden(), 0.02f);
        Norm finalNorm = new Norm(b.ones(TEXT.hidden()), null);
        float[] headRows = b.gaussian(TEXT.vocab() * TEXT.hidden(), 0.02f); // [vocab, hidden]
        TextDecoder probeText = new TextDecoder(TEXT, k, embed, layers, finalNorm, b.matrix(headRows, TEXT.vocab(), TEXT.hidden()));
        DemoModel probe = new DemoModel(tower, probeText, Double.NaN);

        // teacher-forced run of the released loop, collecting (final hidden, wanted next token)
        List<float[]> states = new ArrayList<>();
        List<Integer> wanted = new ArrayList<>();
        Mel[] mels = windowedMels(clip);
        KvCache cache = probeText.newCache(TEXT.maxPositions(), true);
        int[] pending = prefix;
        for (int c = 0; c < mels.length; c++) {
            float[] v = probe.encodeChunk(mels[c].data(), mels[c].frames());
            int[] ids = new int[pending.length + 12];
            System.arraycopy(pending, 0, ids, 0, pending.length);
            int[] slots = new int[10];
            ids[pending.length] = 151647;
            for (int i = 0; i < 10; i++) {
                slots[i] = pending.length + 1 + i;
                ids[slots[i]] = 151608;
            }
            ids[ids.length - 1] = 151602;
            states.add(lastHidden(probeText, cache, ids, slots, v));
            if (respond[c]) {
                wanted.add(151644);
                int tok = 151644;
                for (int r : reply) {
                    states.add(lastHidden(probeText, cache, new int[] {tok}, new int[0], new float[0]));
                    wanted.add(r);
                    tok = r;
                }
                pending = new int[] {151643};
            } else {
                wanted.add(151605);
                pending = new int[] {151605};
            }
        }
        int[] targets = wanted.stream().mapToInt(Integer::intValue).distinct().sorted().toArray();
        double[][] w = solve(states, wanted, targets, TEXT.hidden());
        for (int t = 0; t < targets.length; t++) {
            for (int j = 0; j < TEXT.hidden(); j++) {
                headRows[targets[t] * TEXT.hidden() + j] = (float) w[t][j];
            }
        }
        double margin = margin(states, wanted, headRows, TEXT.hidden(), TEXT.vocab());
        TextDecoder steered = new TextDecoder(TEXT, k, embed, layers, finalNorm, b.matrix(headRows, TEXT.vocab(), TEXT.hidden()));
        return new DemoModel(tower, steered, margin);
    }

    /** The windowed front end's mels of a whole clip (as the session computes them chunk by chunk). */
    static Mel[] windowedMels(float[] x) {
        int n = x.length / 6400;
        WindowedMel wm = AudioInteractionMel.windowed();
        Mel[] out = new Mel[n];
        for (int c = 0; c < n; c++) {
            int off = c * 6400;
            boolean last = c == n - 1;
            out[c] = wm.next(x, off, last ? 6400 : 6440, last);
        }
        return out;
    }

    private static float[] lastHidden(TextDecoder t, KvCache cache, int[] ids, int[] slots, float[] vectors) {
        float[][] h = new float[1][];
        t.forward(cache, ids, slots, vectors, new int[] {ids.length - 1}, (name, data, rows, cols) -> {
            if (name.equals("final_hidden")) {
                h[0] = new float[cols];
                data.read((rows - 1) * cols, h[0], 0, cols);
            }
        });
        return h[0];
    }

    /** Ridge least squares: rows w_t with w_t . h_i = +SCALE when token t is wanted at step i, else -SCALE. */
    static double[][] solve(List<float[]> states, List<Integer> wanted, int[] targets, int d) {
        double[][] a = new double[d][d];
        double[][] rhs = new double[d][targets.length];
        double trace = 0;
        for (int i = 0; i < states.size(); i++) {
            float[] h = states.get(i);
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    a[p][q] += (double) h[p] * h[q];
                }
                for (int t = 0; t < targets.length; t++) {
                    rhs[p][t] += h[p] * (targets[t] == wanted.get(i) ? SCALE : -SCALE);
                }
            }
        }
        for (int p = 0; p < d; p++) {
            trace += a[p][p];
        }
        for (int p = 0; p < d; p++) {
            a[p][p] += 1e-7 * trace / d;
        }
        double[][] x = gauss(a, rhs); // [d, targets]
        double[][] w = new double[targets.length][d];
        for (int t = 0; t < targets.length; t++) {
            for (int p = 0; p < d; p++) {
                w[t][p] = x[p][t];
            }
        }
        return w;
    }

    /** Solves a x = b by Gaussian elimination with partial pivoting (a is d x d, b is d x m). */
    static double[][] gauss(double[][] a, double[][] b) {
        int d = a.length;
        int m = b[0].length;
        for (int c = 0; c < d; c++) {
            int piv = c;
            for (int r = c + 1; r < d; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) {
                    piv = r;
                }
            }
            double[] t = a[c]; a[c] = a[piv]; a[piv] = t;
            t = b[c]; b[c] = b[piv]; b[piv] = t;
            for (int r = c + 1; r < d; r++) {
                double f = a[r][c] / a[c][c];
                for (int j = c; j < d; j++) {
                    a[r][j] -= f * a[c][j];
                }
                for (int j = 0; j < m; j++) {
                    b[r][j] -= f * b[c][j];
                }
            }
        }
        double[][] x = new double[d][m];
        for (int r = d - 1; r >= 0; r--) {
            for (int j = 0; j < m; j++) {
                double s = b[r][j];
                for (int q = r + 1; q < d; q++) {
                    s -= a[r][q] * x[q][j];
                }
                x[r][j] = s / a[r][r];
            }
        }
        return x;
    }

    /** Smallest (wanted logit - best other logit) over the steered steps, with the full head. */
    static double margin(List<float[]> states, List<Integer> wanted, float[] head, int d, int vocab) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < states.size(); i++) {
            float[] h = states.get(i);
            double want = 0;
            double best = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += head[v * d + j] * h[j];
                }
                if (v == wanted.get(i)) {
                    want = s;
                } else {
                    best = Math.max(best, s);
                }
            }
            min = Math.min(min, want - best);
        }
        return min;
    }

    /** Smallest (wanted logit - best other logit) over the steered steps of the teacher-forced run. */
    public double steeringMargin() {
        return steeringMargin;
    }

    @Override
    public int hiddenSize() {
        return TEXT.hidden();
    }

    @Override
    public int vocabSize() {
        return TEXT.vocab();
    }

    @Override
    public int audioVectorsPerChunk() {
        return 10;
    }

    @Override
    public float[] encodeChunk(float[] mel, int frames) {
        return audio.encode(mel, frames, 40, Probe.NONE);
    }

    @Override
    public DecoderCache newCache(int capacity, boolean float16Positions) {
        return text.newCache(capacity, float16Positions);
    }

    @Override
    public float[] forward(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows) {
        return text.forward((KvCache) cache, ids, audioSlots, audioVectors, logitRows, Probe.NONE);
    }

    /** Seeded random weights in F32 off-heap segments. */
    private static final class Builder {
        private final Kernels k;
        private final SplittableRandom rnd;
        private final Arena arena = Arena.ofAuto();

        Builder(Kernels k, long seed) {
            this.k = k;
            this.rnd = new SplittableRandom(seed);
        }

        float[] gaussian(int n, float scale) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) (rnd.nextGaussian() * scale);
            }
            return a;
        }

        WeightMatrix matrix(int rows, int cols, float scale) {
            return matrix(gaussian(rows * cols, scale), rows, cols);
        }

        WeightMatrix matrix(float[] values, int rows, int cols) {
            MemorySegment seg = arena.allocate((long) values.length * 4, 64);
            MemorySegment.copy(values, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values.length);
            return k.upload(new WeightMatrix("demo", WeightFormat.F32, rows, cols, seg));
        }

        FloatBuf vec(float[] v) {
            return k.upload(v);
        }

        FloatBuf ones(int n) {
            float[] a = new float[n];
            Arrays.fill(a, 1f);
            return vec(a);
        }

        FloatBuf zeros(int n) {
            return vec(new float[n]);
        }

        Linear linear(int out, int in, boolean bias, float scale) {
            return new Linear(matrix(out, in, scale), bias ? vec(gaussian(out, 0.02f)) : null);
        }

        List<DecoderLayer> layers() {
            List<DecoderLayer> out = new ArrayList<>();
            int h = TEXT.hidden();
            for (int i = 0; i < TEXT.layers(); i++) {
                out.add(new DecoderLayer(new Norm(ones(h), null),
                        new QkvProjection.Split(linear(TEXT.qDim(), h, true, 0.3f), linear(TEXT.kvDim(), h, true, 0.3f),
                                linear(TEXT.kvDim(), h, true, 0.2f)),
                        linear(h, TEXT.qDim(), false, 0.2f), new Norm(ones(h), null),
                        linear(TEXT.intermediate(), h, false, 0.2f), linear(TEXT.intermediate(), h, false, 0.2f),
                        linear(h, TEXT.intermediate(), false, 0.2f)));
            }
            return out;
        }

        AudioTower audio() {
            int d = AUDIO.dModel();
            List<AudioLayer> layers = new ArrayList<>();
            for (int i = 0; i < AUDIO.layers(); i++) {
                layers.add(new AudioLayer(new Norm(ones(d), zeros(d)), linear(d, d, true, 0.2f), linear(d, d, false, 0.2f),
                        linear(d, d, true, 0.2f), linear(d, d, true, 0.2f), new Norm(ones(d), zeros(d)),
                        linear(AUDIO.ffnDim(), d, true, 0.2f), linear(d, AUDIO.ffnDim(), true, 0.2f)));
            }
            return new AudioTower(AUDIO, k, matrix(d, AUDIO.melBins() * 3, 0.05f), zeros(d), matrix(d, d * 3, 0.1f), zeros(d),
                    layers, new Norm(ones(d), zeros(d)), linear(AUDIO.outputDim(), d, true, 0.3f));
        }
    }
}
