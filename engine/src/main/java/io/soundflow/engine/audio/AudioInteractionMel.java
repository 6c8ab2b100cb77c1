package io.soundflow.engine.audio;

import java.util.Objects;

/**
 * Per-chunk log-mel for the Audio-Interaction model, whose audio tower turns every 400 ms chunk
 * (6400 samples at 16 kHz) into 40 mel frames and those into 10 audio vectors. Three front-end modes:
 * <ul>
 *   <li>{@link #refExact} (for files, parity with the released CLI): the whole input zero-padded to a
 *       multiple of 6400 samples, one whisper mel over it, cut into 40-frame chunks. STFT frames at
 *       chunk edges see the real neighbouring samples (the last frame of a chunk reaches 40 samples into
 *       the next one), only the buffer's two ends are reflected, and the (max - 8) clamp uses the
 *       maximum of the whole file, future included.</li>
 *   <li>{@link #chunkLocal} (lowest latency): a separate whisper mel over each 6400-sample chunk alone,
 *       reflected at both chunk edges, clamped with the chunk's own maximum. No look-ahead.</li>
 *   <li>{@link #windowed} (the default for live input): see {@link WindowedMel}; frames identical to
 *       {@code refExact} (real neighbours, 40-sample look-ahead), clamp maximum over a rolling window of
 *       past chunks, so it is causal.</li>
 * </ul>
 */
public final class AudioInteractionMel {
    /** Samples in one 400 ms chunk. */
    public static final int CHUNK_SAMPLES = 6400;
    /** Mel frames per chunk. */
    public static final int CHUNK_FRAMES = CHUNK_SAMPLES / LogMel.HOP; // 40
    /** Samples of the next chunk that the last STFT frame of a chunk reaches (400/2 - 160). */
    public static final int LOOKAHEAD_SAMPLES = LogMel.N_FFT / 2 - LogMel.HOP; // 40
    /** Default rolling window of {@link #windowed()}: 60 chunks = 24 s, the length of the training streams. */
    public static final int DEFAULT_WINDOW_CHUNKS = 60;

    private AudioInteractionMel() {
    }

    /** Number of chunks an input of {@code numSamples} samples gives (the last one zero-padded). */
    public static int chunkCount(int numSamples) {
        return (numSamples + CHUNK_SAMPLES - 1) / CHUNK_SAMPLES;
    }

    /**
     * {@code ref-exact}: one mel over the whole zero-padded input, as the released CLI computes it;
     * element i is chunk i's [128, 40] mel.
     */
    public static Mel[] refExact(float[] wholeInput) {
        Mel all = LogMel.audioInteraction(wholeInput);
        Mel[] out = new Mel[all.frames() / CHUNK_FRAMES];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.frames(i * CHUNK_FRAMES, (i + 1) * CHUNK_FRAMES);
        }
        return out;
    }

    /** {@code chunk-local}: the [128, 40] mel of one chunk of at most 6400 samples (zero-padded to 6400). */
    public static Mel chunkLocal(float[] chunkSamples) {
        return chunkLocal(chunkSamples, 0, chunkSamples.length);
    }

    /** {@code chunk-local} over {@code x[off, off + len)}, len in 1..6400 (zero-padded to 6400). */
    public static Mel chunkLocal(float[] x, int off, int len) {
        Objects.checkFromIndexSize(off, len, x.length);
        if (len < 1 || len > CHUNK_SAMPLES) {
            throw new IllegalArgumentException("a chunk has 1 to " + CHUNK_SAMPLES + " samples, got " + len);
        }
        return LogMel.whisper(x, off, len, CHUNK_SAMPLES);
    }

    /** {@code chunk-local} mels of every chunk of an input (the last chunk zero-padded). */
    public static Mel[] chunkLocalAll(float[] wholeInput) {
        Mel[] out = new Mel[chunkCount(wholeInput.length)];
        for (int i = 0; i < out.length; i++) {
            int off = i * CHUNK_SAMPLES;
            out[i] = chunkLocal(wholeInput, off, Math.min(CHUNK_SAMPLES, wholeInput.length - off));
        }
        return out;
    }

    /**
     * The {@code windowed} front end's mels of a whole input, chunk by chunk exactly as a session's encoder
     * cuts them (each chunk with its 40-sample look-ahead; the end zero-padded and reflected as the released
     * code pads a file): what a lockstep session computes for the same samples.
     *
     * @param windowChunks the clamp window ({@link #DEFAULT_WINDOW_CHUNKS} is the session default)
     */
    public static Mel[] windowedAll(float[] wholeInput, int windowChunks) {
        WindowedMel w = windowed(windowChunks);
        Mel[] out = new Mel[chunkCount(wholeInput.length)];
        int off = 0;
        for (int i = 0; i < out.length; i++) {
            int rest = wholeInput.length - off;
            if (rest > CHUNK_SAMPLES) { // a full look-ahead, or the end inside it (one more, last, chunk follows)
                out[i] = w.next(wholeInput, off, Math.min(rest, CHUNK_SAMPLES + LOOKAHEAD_SAMPLES), false);
                off += CHUNK_SAMPLES;
            } else {
                out[i] = w.next(wholeInput, off, rest, true);
                off = wholeInput.length;
            }
        }
        return out;
    }

    /** A fresh {@code windowed} front end with the default 24 s clamp window. */
    public static WindowedMel windowed() {
        return new WindowedMel(DEFAULT_WINDOW_CHUNKS);
    }

    /** A fresh {@code windowed} front end whose clamp maximum spans the last {@code windowChunks} chunks. */
    public static WindowedMel windowed(int windowChunks) {
        return new WindowedMel(windowChunks);
    }
}
