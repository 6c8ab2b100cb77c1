package io.soundflow.engine.stream;

import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.audio.WindowedMel;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Cuts the encoder's sample stream into 400 ms chunks and computes each chunk's [128, 40] log-mel in
 * one of the three {@link FrontEndMode}s. Owned by the encoder thread; not thread-safe.
 */
abstract class ChunkCutter {
    static final int CHUNK = AudioInteractionMel.CHUNK_SAMPLES;
    static final int LOOK = AudioInteractionMel.LOOKAHEAD_SAMPLES;

    /** Samples buffered and not yet cut. */
    protected float[] buf = new float[2 * (CHUNK + LOOK)];
    protected int n;

    static ChunkCutter of(SessionOptions o) {
        return switch (o.mode()) {
            case CHUNK_LOCAL -> new ChunkLocal();
            case WINDOWED -> new Windowed(AudioInteractionMel.windowed(o.melWindowChunks()));
            case REF_EXACT -> new RefExact((long) o.refExactMaxSeconds() * 16_000L);
        };
    }

    /** Appends samples. */
    void push(float[] x, int off, int len) {
        if (n + len > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(n + len, buf.length * 2));
        }
        System.arraycopy(x, off, buf, n, len);
        n += len;
    }

    /** The next chunk's mel if its samples (and look-ahead) are here; at end of input, the remaining ones; else null. */
    abstract Mel next(boolean finished);

    /** Samples a chunk needs beyond its own 6400 before it can be cut (before end of input). */
    abstract int lookAhead();

    /**
     * How many more samples to take from the ring before the next chunk can be cut: the encoder takes
     * no more than that, so unprocessed audio waits in the bounded ring (where overruns are counted),
     * never in an unbounded buffer here.
     */
    int wanted() {
        return Math.max(0, CHUNK + lookAhead() - n);
    }

    protected void consume(int k) {
        System.arraycopy(buf, k, buf, 0, n - k);
        n -= k;
    }

    /** A separate mel per chunk; the last partial chunk is zero-padded. */
    static final class ChunkLocal extends ChunkCutter {
        @Override
        Mel next(boolean finished) {
            if (n >= CHUNK || (finished && n > 0)) {
                int len = Math.min(n, CHUNK);
                Mel m = AudioInteractionMel.chunkLocal(buf, 0, len);
                consume(len);
                return m;
            }
            return null;
        }

        @Override
        int lookAhead() {
            return 0;
        }
    }

    /** Continuous STFT frames with the 40-sample look-ahead; causal clamp window. */
    static final class Windowed extends ChunkCutter {
        private final WindowedMel mel;
        private boolean ended;

        Windowed(WindowedMel mel) {
            this.mel = mel;
        }

        @Override
        Mel next(boolean finished) {
            if (ended) {
                return null;
            }
            if (n >= CHUNK + LOOK) {
                Mel m = mel.next(buf, 0, CHUNK + LOOK, false);
                consume(CHUNK);
                return m;
            }
            if (!finished || n == 0) {
                return null;
            }
            if (n > CHUNK) { // the stream ended inside this chunk's look-ahead: one more, last, chunk follows
                Mel m = mel.next(buf, 0, n, false);
                consume(CHUNK);
                return m;
            }
            ended = true;
            Mel m = mel.next(buf, 0, n, true);
            n = 0;
            return m;
        }

        @Override
        int lookAhead() {
            return LOOK;
        }
    }

    /** One mel over the whole input, computed at end of input (files; bounded by a maximum length). */
    static final class RefExact extends ChunkCutter {
        private final long maxSamples;
        private ArrayDeque<Mel> ready;

        RefExact(long maxSamples) {
            this.maxSamples = maxSamples;
        }

        @Override
        void push(float[] x, int off, int len) {
            if (n + (long) len > maxSamples) {
                throw new IllegalStateException("mode ref-exact keeps the whole input and is limited to "
                        + maxSamples / 16_000 + " s; use FrontEndMode.WINDOWED for long or live streams");
            }
            super.push(x, off, len);
        }

        @Override
        Mel next(boolean finished) {
            if (!finished) {
                return null;
            }
            if (ready == null) {
                ready = new ArrayDeque<>();
                if (n > 0) {
                    int padded = AudioInteractionMel.chunkCount(n) * CHUNK;
                    ready.addAll(Arrays.asList(AudioInteractionMel.refExact(Arrays.copyOf(buf, padded))));
                }
                buf = new float[0];
                n = 0;
            }
            return ready.poll();
        }

        @Override
        int lookAhead() {
            return Integer.MAX_VALUE; // needs the end of input
        }

        @Override
        int wanted() {
            return Integer.MAX_VALUE; // keeps the whole input (bounded by maxSamples)
        }
    }
}
