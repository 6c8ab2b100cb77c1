package io.soundflow.engine.model;

import io.soundflow.engine.EncoderState;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightMatrix;

import java.util.List;

/**
 * The Qwen2.5-Omni audio encoder (immutable, shared): per window of mel frames a conv stem
 * (conv1 + GELU, conv2 stride 2 + GELU) plus sinusoid positions that restart at 0 in every window,
 * pre-LayerNorm layers whose bidirectional attention stays inside the window, then over the whole
 * input a pair average (odd last row dropped), {@code ln_post} and {@code proj} to the text width.
 *
 * <p>Window length is a parameter of {@link #encode}: 2 x n_window (200) frames for Qwen2.5-Omni,
 * 40 frames for the Audio-Interaction release, whose every 400 ms chunk is encoded alone.
 */
public final class AudioTower {
    private final AudioEncoderConfig config;
    private final Kernels kernels;
    private final WeightMatrix conv1;   // [d, melBins * 3]
    private final FloatBuf conv1Bias;   // [d]
    private final WeightMatrix conv2;   // [d, d * 3]
    private final FloatBuf conv2Bias;   // [d]
    private final List<AudioLayer> layers;
    private final Norm lnPost;
    private final Linear proj;          // [outputDim, d]
    private final FloatBuf sinusoids;   // [positionRows, d]: sines then cosines, uploaded once
    private final int positionRows;

    public AudioTower(AudioEncoderConfig config, Kernels kernels, WeightMatrix conv1, FloatBuf conv1Bias,
                      WeightMatrix conv2, FloatBuf conv2Bias, List<AudioLayer> layers, Norm lnPost, Linear proj) {
        this.config = config;
        this.kernels = kernels;
        this.conv1 = conv1;
        this.conv1Bias = conv1Bias;
        this.conv2 = conv2;
        this.conv2Bias = conv2Bias;
        this.layers = List.copyOf(layers);
        this.lnPost = lnPost;
        this.proj = proj;
        if (layers.size() != config.layers()) {
            throw new IllegalArgumentException("audio tower: " + layers.size() + " layers, config says " + config.layers());
        }
        int rows = (int) Math.min(config.maxPositions(), Math.max(config.nWindow(), 20) + 1L); // long: no overflow
        this.positionRows = rows;
        this.sinusoids = kernels.upload(sinusoids(rows, config.dModel()));
    }

    public AudioEncoderConfig config() {
        return config;
    }

    /** The window length Qwen2.5-Omni uses: 2 x n_window mel frames. */
    public int hfWindow() {
        return 2 * config.nWindow();
    }

    /** Number of output vectors for {@code frames} mel frames cut into windows of {@code window} frames. */
    public static int outputLength(int frames, int window) {
        int t = 0;
        for (int s = 0; s < frames; s += window) {
            int l = Math.min(window, frames - s);
            t += (l - 1) / 2 + 1;
        }
        return t / 2;
    }

    /**
     * Encodes a log-mel {@code mel} [melBins, frames] (row-major, as the front end produces it) cut into
     * windows of {@code window} frames. Returns [outputLength(frames, window), outputDim] row-major.
     * Stages reported to the probe: {@code embed} (conv stem + positions), {@code layer<i>}, {@code pooled},
     * {@code ln_post}.
     */
    public float[] encode(float[] mel, int frames, int window, Probe probe) {
        return encode(mel, frames, window, probe, EncoderState.NONE);
    }

    /** A stream's grow-only working memory for {@link #encode(float[], int, int, Probe, EncoderState)}. */
    public EncoderState newState() {
        return new Scratch();
    }

    /** The buffers of one encode, by slot; each grows to the largest size asked and is handed out as a view. */
    private final class Scratch implements EncoderState {
        private final FloatBuf[] bufs = new FloatBuf[SLOTS];
        private float[] host = new float[0];

        AudioTower owner() {
            return AudioTower.this;
        }

        FloatBuf get(int slot, int size) {
            FloatBuf b = bufs[slot];
            if (b == null || b.size() < size) {
                b = kernels.alloc(size);
                bufs[slot] = b;
            }
            return b.size() == size ? b : b.slice(0, size);
        }

        float[] host(int size) {
            if (host.length < size) {
                host = new float[size];
            }
            return host;
        }
    }

    private static final int H = 0, MEL_T = 1, C1 = 2, X = 3, Q = 4, K = 5, V = 6, ATT = 7, FF = 8, POOLED = 9,
            RESULT = 10, SLOTS = 11;

    /**
     * {@link #encode(float[], int, int, Probe)} with the buffers of {@code state} (from {@link #newState()}
     * of this tower, used by one thread at a time; {@link EncoderState#NONE} allocates per call).
     */
    public float[] encode(float[] mel, int frames, int window, Probe probe, EncoderState state) {
        Scratch sc;
        if (state instanceof Scratch own && own.owner() == this) {
            sc = own;
        } else if (state == EncoderState.NONE) {
            sc = new Scratch();
        } else {
            throw new IllegalArgumentException("this encoder state was made by another model");
        }
        int bins = config.melBins(), d = config.dModel();
        if (frames < 1 || mel.length != (long) bins * frames) {
            throw new IllegalArgumentException("audio tower: mel has " + mel.length + " values, expected "
                    + bins + " x " + frames);
        }
        if (window < 2 || (window - 1) / 2 + 1 > positionRows) {
            throw new IllegalArgumentException("audio tower: window " + window + " frames is out of range");
        }
        int nWin = (frames + window - 1) / window;
        int[] lens = new int[nWin];
        int total = 0;
        for (int w = 0; w < nWin; w++) {
            int l = Math.min(window, frames - w * window);
            lens[w] = (l - 1) / 2 + 1;
            total += lens[w];
        }
        if (total < 2) {
            throw new IllegalArgumentException("audio tower: " + frames + " mel frames are too few (need at least 3)");
        }
        Finite.require(mel, frames, "audio tower", "the mel input [bins, frames]", "");
        Kernels k = kernels;
        FloatBuf h = sc.get(H, total * d);               // [T, d]
        FloatBuf melT = sc.get(MEL_T, window * bins);    // [l, bins] time-major chunk
        FloatBuf c1 = sc.get(C1, window * d);            // [l, d]
        float[] tmp = sc.host(window * bins);
        int row = 0;
        for (int w = 0; w < nWin; w++) {
            int s = w * window, l = Math.min(window, frames - s);
            for (int t = 0; t < l; t++) {
                for (int b = 0; b < bins; b++) {
                    tmp[t * bins + b] = mel[b * frames + s + t];
                }
            }
            melT.write(0, tmp, 0, l * bins);
            k.conv1d3(conv1, conv1Bias, melT.slice(0, l * bins), l, 1, c1.slice(0, l * d));
            k.gelu(c1, l * d);
            FloatBuf out = h.slice(row * d, lens[w] * d);
            k.conv1d3(conv2, conv2Bias, c1.slice(0, l * d), l, 2, out);
            k.gelu(out, lens[w] * d);
            k.add(out, sinusoids.slice(0, lens[w] * d), out, lens[w] * d); // positions restart in every window
            row += lens[w];
        }
        probe.stage("embed", h, total, d);
        FloatBuf x = sc.get(X, total * d), q = sc.get(Q, total * d), kk = sc.get(K, total * d), v = sc.get(V, total * d);
        FloatBuf att = sc.get(ATT, total * d), ff = sc.get(FF, total * config.ffnDim());
        for (int i = 0; i < layers.size(); i++) {
            AudioLayer L = layers.get(i);
            k.layerNorm(h, L.attnNorm().weight(), L.attnNorm().bias(), AudioEncoderConfig.LN_EPS, total, d, x);
            L.q().apply(k, x, total, q);
            L.k().apply(k, x, total, kk);
            L.v().apply(k, x, total, v);
            k.attentionWindowed(q, kk, v, lens, config.heads(), config.headDim(), att);
            L.out().apply(k, att, total, x);
            k.add(h, x, h, total * d);
            k.layerNorm(h, L.mlpNorm().weight(), L.mlpNorm().bias(), AudioEncoderConfig.LN_EPS, total, d, x);
            L.fc1().apply(k, x, total, ff);
            k.gelu(ff, total * config.ffnDim());
            L.fc2().apply(k, ff, total, x);
            k.add(h, x, h, total * d);
            if (probe.active()) { // no name built per layer for Probe.NONE
                probe.stage("layer" + i, h, total, d);
            }
        }
        int n = total / 2;
        FloatBuf pooled = sc.get(POOLED, n * d);
        k.avgPool2(h, total, d, pooled);
        probe.stage("pooled", pooled, n, d);
        k.layerNorm(pooled, lnPost.weight(), lnPost.bias(), AudioEncoderConfig.LN_EPS, n, d, pooled);
        probe.stage("ln_post", pooled, n, d);
        FloatBuf result = sc.get(RESULT, n * config.outputDim());
        proj.apply(k, pooled, n, result);
        float[] out = result.toArray();
        Finite.require(out, config.outputDim(), "audio tower", "the output vectors",
                "the checkpoint's audio weights give non-finite values");
        return out;
    }

    /**
     * Whisper's sinusoid table as HF builds it in float32: inc = ln(10000) / (d/2 - 1),
     * inv_j = exp(-inc * j), row p = [sin(p * inv), cos(p * inv)].
     */
    static float[] sinusoids(int length, int channels) {
        int half = channels / 2;
        float inc = (float) (Math.log(10000.0) / (half - 1));
        float[] inv = new float[half];
        for (int j = 0; j < half; j++) {
            inv[j] = (float) Math.exp(-inc * (float) j);
        }
        float[] table = new float[length * channels];
        for (int p = 0; p < length; p++) {
            for (int j = 0; j < half; j++) {
                float a = (float) p * inv[j];
                table[p * channels + j] = (float) Math.sin(a);
                table[p * channels + half + j] = (float) Math.cos(a);
            }
        }
        return table;
    }
}
