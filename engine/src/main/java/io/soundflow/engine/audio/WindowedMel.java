package io.soundflow.engine.audio;

import java.util.Objects;

/**
 * The {@code windowed} Audio-Interaction front end for live input: stateful, one per stream, fed one
 * 6400-sample chunk at a time plus the 40 samples of look-ahead its last STFT frame needs.
 *
 * <p>Semantics: the 40 frames of chunk i are the STFT frames of the continuous stream, exactly as
 * {@code ref-exact} computes them (frame 0 sees the previous chunk's last 200 samples, frame 39 sees
 * the next chunk's first 40; the stream's first chunk is reflected at its left edge and the final chunk
 * is zero-padded to 6400 and reflected at its right edge, as the released code pads a file). Only the
 * (max - 8) clamp differs: its maximum is taken over the raw log-mel of the last {@code windowChunks}
 * chunks, this one included, instead of over the whole file; it never looks at the future. With a
 * window covering the whole stream, chunk i equals {@code ref-exact}'s chunk i whenever the stream's
 * loudest frame lies in chunks 0..i. Compared with {@code chunk-local}, chunk edges see real samples
 * and quiet chunks keep the level of the recent past instead of being stretched to their own maximum.
 *
 * <p>Cost per chunk: 40 FFTs of 400 points; memory: 200 samples and {@code windowChunks} doubles.
 * Not thread-safe (one encoder thread per stream).
 */
public final class WindowedMel {
    private static final int CHUNK = AudioInteractionMel.CHUNK_SAMPLES;
    private static final int LOOK = AudioInteractionMel.LOOKAHEAD_SAMPLES;
    private static final int PAD = LogMel.N_FFT / 2;

    private final double[] chunkMax; // ring of per-chunk raw maxima
    private final float[] tail = new float[PAD]; // the previous chunk's last 200 samples
    private boolean hasTail;
    private long chunks;
    private boolean ended;

    WindowedMel(int windowChunks) {
        if (windowChunks < 1) {
            throw new IllegalArgumentException("the clamp window must span at least 1 chunk, got " + windowChunks);
        }
        chunkMax = new double[windowChunks];
    }

    /** Chunks in the clamp window. */
    public int windowChunks() {
        return chunkMax.length;
    }

    /** Chunks processed since construction or the last {@link #reset()}. */
    public long chunks() {
        return chunks;
    }

    /**
     * The [128, 40] mel of the next chunk.
     *
     * @param x    {@code x[off, off+len)}: the chunk's samples followed by its look-ahead
     * @param len  when {@code last} is false: 6400 + 40 normally; 6400..6439 when the stream ended inside
     *             the look-ahead (the missing samples are the zeros of the padded end, and one more, last,
     *             chunk must follow). When {@code last} is true: 1..6400 samples, zero-padded to 6400 and
     *             reflected at the end as the released code pads a file.
     * @param last whether this chunk ends the stream (after it only {@link #reset()} is allowed)
     */
    public Mel next(float[] x, int off, int len, boolean last) {
        Objects.checkFromIndexSize(off, len, x.length);
        if (ended) {
            throw new IllegalStateException("the stream has ended; call reset() to start a new one");
        }
        if (last ? (len < 1 || len > CHUNK) : (len < CHUNK || len > CHUNK + LOOK)) {
            throw new IllegalArgumentException(last
                    ? "the last chunk has 1 to " + CHUNK + " samples, got " + len
                    : "a chunk needs " + CHUNK + " samples plus up to " + LOOK + " of look-ahead, got " + len);
        }
        float[] p = new float[LogMel.HOP * (AudioInteractionMel.CHUNK_FRAMES - 1) + LogMel.N_FFT]; // 6640
        for (int i = 0; i < p.length; i++) {
            int j = i - PAD; // sample index relative to the chunk start
            if (j < 0) {
                p[i] = hasTail ? tail[PAD + j] : sample(x, off, len, -j);
            } else if (j >= CHUNK && last) {
                p[i] = sample(x, off, len, 2 * CHUNK - 2 - j);
            } else {
                p[i] = sample(x, off, len, j);
            }
        }
        double[] raw = LogMel.rawLogMel(p, AudioInteractionMel.CHUNK_FRAMES); // [128, 40]
        chunkMax[(int) (chunks % chunkMax.length)] = LogMel.max(raw);
        chunks++;
        double max = LogMel.LOG_FLOOR;
        for (int i = 0, n = (int) Math.min(chunks, chunkMax.length); i < n; i++) {
            max = Math.max(max, chunkMax[i]);
        }
        for (int i = 0; i < PAD; i++) {
            tail[i] = sample(x, off, len, CHUNK - PAD + i);
        }
        hasTail = true;
        ended = last;
        return LogMel.finish(raw, AudioInteractionMel.CHUNK_FRAMES, 0, AudioInteractionMel.CHUNK_FRAMES, max);
    }

    /** Forgets the history: the next chunk starts a new stream (reflected left edge, empty clamp window). */
    public void reset() {
        hasTail = false;
        chunks = 0;
        ended = false;
    }

    private static float sample(float[] x, int off, int len, int j) {
        return j < len ? x[off + j] : 0f;
    }
}
