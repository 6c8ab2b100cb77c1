package io.soundflow.engine.audio;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Whisper log-mel spectrogram (16 kHz, periodic Hann window of 400, hop 160, centred STFT with reflect
 * padding at the buffer edges, power spectrum, 128 Slaney mel filters, {@code log10(max(., 1e-10))},
 * clamp to (max - 8), then (x + 4) / 4; the last STFT frame is dropped), in the conventions the two
 * target models use. Computed in double precision (the FFT with JTransforms) and returned as float32:
 * this is the reference's float64 path, within about 4e-5 of the float32 torch path.
 *
 * <p>Where the clamp's maximum is taken is what distinguishes the conventions:
 * <ul>
 *   <li>{@link #qwenOffline}: Qwen2.5-Omni's feature extractor zero-pads the waveform to 300 s and takes
 *       the maximum over the whole padded buffer; frames near the end of the audio see zero padding, not
 *       a reflection. Computed exactly without building the 30,000 frames (see the method).</li>
 *   <li>{@link #whisper} / {@link #audioInteraction}: openai-whisper's {@code log_mel_spectrogram} over
 *       the given buffer (the Audio-Interaction release zero-pads to a multiple of 6400 samples first);
 *       the maximum is over that buffer. {@link AudioInteractionMel} builds the per-chunk modes on top.</li>
 * </ul>
 * Thread-safe: the window and filter bank are shared constants and each thread gets its own FFT plan.
 */
public final class LogMel {
    public static final int N_MELS = 128;
    public static final int HOP = 160;
    public static final int N_FFT = 400;
    public static final int SAMPLE_RATE = 16000;

    /** Qwen2.5-Omni feature extractor buffer: 300 s at 16 kHz. */
    public static final int QWEN_BUFFER_SAMPLES = 4_800_000;
    /** Frames of the Qwen2.5-Omni padded buffer (after dropping the last STFT frame). */
    public static final int QWEN_MAX_FRAMES = QWEN_BUFFER_SAMPLES / HOP;

    /** log10 of the 1e-10 floor: the value of every frame that sees only zeros. */
    static final double LOG_FLOOR = -10.0;
    private static final int PAD = N_FFT / 2; // 200 samples of centring on each side

    private static final double[] HANN = new double[N_FFT]; // periodic Hann
    static {
        for (int k = 0; k < N_FFT; k++) {
            HANN[k] = 0.5 - 0.5 * Math.cos(2.0 * Math.PI * k / N_FFT);
        }
    }
    private static final ThreadLocal<DoubleFFT_1D> FFT = ThreadLocal.withInitial(() -> new DoubleFFT_1D(N_FFT));

    private LogMel() {
    }

    /**
     * The Qwen2.5-Omni offline features of one 16 kHz mono audio: [128, L] with
     * L = ceil(min(N, 4,800,000) / 160), the frames the HF processor's attention mask keeps.
     *
     * <p>HF pads the waveform with zeros to 4.8 M samples, computes 30,000 frames and clamps with the
     * maximum over all of them. Here only the frames whose window reaches a real sample are computed
     * (t &lt;= (N + 199) / 160, at most two beyond L); every later frame has power exactly 0, i.e. the
     * value log10(1e-10) = -10 before the clamp, which is the smallest value any frame can have, so it
     * can never change the maximum. The result is therefore exact. Audio longer than 300 s is
     * truncated, as HF does; then the buffer's right edge is reflected, again as HF does.
     */
    public static Mel qwenOffline(float[] samples) {
        int n = Math.min(samples.length, QWEN_BUFFER_SAMPLES);
        if (n == 0) {
            throw new IllegalArgumentException("empty audio: no samples to compute a mel spectrogram from");
        }
        int keep = qwenFrameCount(samples.length);
        int computed = Math.min(QWEN_MAX_FRAMES, (n + PAD - 1) / HOP + 1);
        float[] padded = centredBuffer(samples, 0, n, QWEN_BUFFER_SAMPLES, computed);
        double[] raw = rawLogMel(padded, computed); // [128, computed]
        double max = Math.max(LOG_FLOOR, max(raw));
        return finish(raw, computed, 0, keep, max);
    }

    /** The number of Qwen2.5-Omni feature frames for {@code numSamples} samples: ceil(min(N, 4.8 M) / 160). */
    public static int qwenFrameCount(int numSamples) {
        int n = Math.min(numSamples, QWEN_BUFFER_SAMPLES);
        return (n + HOP - 1) / HOP;
    }

    /**
     * openai-whisper's {@code log_mel_spectrogram(samples, n_mels=128)} over exactly this buffer: centred
     * STFT with reflection at both edges, last frame dropped, clamp with the maximum over the buffer.
     * Gives floor(N / 160) frames; needs N &gt; 200 (torch's reflect padding does too).
     */
    public static Mel whisper(float[] samples) {
        return whisper(samples, 0, samples.length, samples.length);
    }

    /**
     * Like {@link #whisper(float[])} over the logical buffer of {@code logicalLength} samples made of
     * {@code samples[off, off+len)} followed by zeros (logicalLength &gt;= len).
     */
    static Mel whisper(float[] samples, int off, int len, int logicalLength) {
        if (logicalLength <= PAD) {
            throw new IllegalArgumentException("audio buffer of " + logicalLength
                    + " samples is too short for the centred STFT (needs more than " + PAD + ")");
        }
        int frames = logicalLength / HOP;
        float[] padded = centredBuffer(samples, off, len, logicalLength, frames);
        double[] raw = rawLogMel(padded, frames);
        return finish(raw, frames, 0, frames, max(raw));
    }

    /**
     * What the released Audio-Interaction code computes for an input: the samples zero-padded to a
     * multiple of 6400 (0.4 s), then one {@link #whisper} mel over that buffer: [128, 40 * chunks].
     */
    public static Mel audioInteraction(float[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("empty audio: no samples to compute a mel spectrogram from");
        }
        int chunk = AudioInteractionMel.CHUNK_SAMPLES;
        long padded = ((long) samples.length + chunk - 1) / chunk * chunk;
        if (padded > Integer.MAX_VALUE - 2 * PAD) {
            throw new IllegalArgumentException("audio of " + samples.length + " samples is too long");
        }
        return whisper(samples, 0, samples.length, (int) padded);
    }

    /**
     * The centred-STFT input for {@code frames} frames of a logical buffer of {@code logicalLength}
     * samples (x[off, off+len) then zeros): element i is buffer sample i - 200, reflected (edge sample
     * excluded, as torch's reflect pad) where it falls outside [0, logicalLength).
     */
    static float[] centredBuffer(float[] x, int off, int len, int logicalLength, int frames) {
        float[] p = new float[HOP * (frames - 1) + N_FFT];
        for (int i = 0; i < p.length; i++) {
            int j = i - PAD;
            if (j < 0) {
                j = -j;
            } else if (j >= logicalLength) {
                j = 2 * logicalLength - 2 - j;
            }
            p[i] = j < len ? x[off + j] : 0f;
        }
        return p;
    }

    /**
     * log10 mel power of frames t = 0 .. frames-1, frame t being padded[160 t, 160 t + 400) under the
     * Hann window, before the clamp: [128, frames] row-major.
     */
    static double[] rawLogMel(float[] padded, int frames) {
        if (padded.length < HOP * (frames - 1) + N_FFT) {
            throw new IllegalArgumentException("padded buffer too short for " + frames + " frames");
        }
        DoubleFFT_1D fft = FFT.get();
        double[] buf = new double[N_FFT];
        double[] power = new double[MelFilterbank.N_BINS];
        double[] out = new double[N_MELS * frames]; // [128, frames]
        for (int t = 0; t < frames; t++) {
            int base = t * HOP;
            for (int k = 0; k < N_FFT; k++) {
                buf[k] = padded[base + k] * HANN[k];
            }
            fft.realForward(buf); // [Re0, Re200, Re1, Im1, ..., Re199, Im199]
            power[0] = buf[0] * buf[0];
            power[N_FFT / 2] = buf[1] * buf[1];
            for (int k = 1; k < N_FFT / 2; k++) {
                double re = buf[2 * k];
                double im = buf[2 * k + 1];
                power[k] = re * re + im * im;
            }
            for (int m = 0; m < N_MELS; m++) {
                double[] w = MelFilterbank.WEIGHTS[m];
                int s = MelFilterbank.START[m];
                double acc = 0.0;
                for (int k = 0; k < w.length; k++) {
                    acc += w[k] * power[s + k];
                }
                out[m * frames + t] = Math.log10(Math.max(acc, 1e-10));
            }
        }
        return out;
    }

    /** Largest value of a raw log-mel block. */
    static double max(double[] raw) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : raw) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** Frames [from, to) of a raw [128, frames] block, clamped to (max - 8) and scaled to (x + 4) / 4. */
    static Mel finish(double[] raw, int frames, int from, int to, double max) {
        int n = to - from;
        float[] out = new float[N_MELS * n]; // [128, n]
        double floor = max - 8.0;
        for (int m = 0; m < N_MELS; m++) {
            for (int t = 0; t < n; t++) {
                double v = Math.max(raw[m * frames + from + t], floor);
                out[m * n + t] = (float) ((v + 4.0) / 4.0);
            }
        }
        return new Mel(out, n);
    }
}
