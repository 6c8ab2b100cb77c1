package io.soundflow.engine.stream;

import io.soundflow.engine.DecoderCache;
import io.soundflow.engine.KvDtype;
import io.soundflow.engine.InteractionModel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in for the thinker, for runtime tests: a chunk's audio vectors carry its largest
 * log-mel value ("loudness"); at an ASSISTANT row the model says {@code <response>} when the chunk just before
 * it is louder than {@code threshold}, else {@code <silent>} (or {@code oddToken} when set). A response
 * is NORMAL, then {@code replyLength} text ids 100, 101, ..., then TEXT_END. Its KV cache really holds a
 * float row per position, so a leak would show in the heap. Optional delay per forward.
 */
final class FakeModel implements InteractionModel {
    static final int HIDDEN = 8;
    static final int VOCAB = 151_936;
    final float threshold;
    final int replyLength;
    volatile long forwardDelayMs;
    volatile long firstForwardDelayMs;
    volatile long encodeDelayMs;
    volatile int oddToken = -1;
    volatile int encodedVectors = 10; // what encodeChunk returns (10 is right)
    final AtomicInteger forwards = new AtomicInteger();
    volatile int maxLengthSeen;

    FakeModel(float threshold, int replyLength) {
        this.threshold = threshold;
        this.replyLength = replyLength;
    }

    @Override
    public int hiddenSize() {
        return HIDDEN;
    }

    @Override
    public int vocabSize() {
        return VOCAB;
    }

    @Override
    public int audioVectorsPerChunk() {
        return 10;
    }

    @Override
    public float[] encodeChunk(float[] mel, int frames) {
        sleep(encodeDelayMs);
        for (float v : mel) {
            if (!Float.isFinite(v)) { // as the real audio tower: a non-finite mel is refused
                throw new IllegalStateException("a non-finite mel value reached the model: " + v);
            }
        }
        float max = Float.NEGATIVE_INFINITY; // interior frames only: edge frames see the neighbouring chunks
        for (int bin = 0; bin < mel.length / frames; bin++) {
            for (int f = 2; f < frames - 2; f++) {
                max = Math.max(max, mel[bin * frames + f]);
            }
        }
        float[] out = new float[encodedVectors * HIDDEN];
        Arrays.fill(out, max);
        return out;
    }

    /** A cache that stores one row per position (so memory follows the length). */
    static final class Cache implements DecoderCache {
        final int capacity;
        final float[][] rows;
        int length;
        int replyStep;

        Cache(int capacity) {
            this.capacity = capacity;
            this.rows = new float[capacity][];
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public void truncate(int n) {
            if (n < 0 || n > length) {
                throw new IllegalArgumentException("truncate " + n + " of " + length);
            }
            Arrays.fill(rows, n, length, null);
            length = n;
        }

        @Override
        public boolean float16Positions() {
            return true;
        }
    }

    @Override
    public DecoderCache newCache(int capacity, boolean float16Positions, KvDtype dtype) {
        return new Cache(capacity);
    }

    @Override
    public float[] forward(DecoderCache dc, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows) {
        Cache c = (Cache) dc;
        if (c.length + ids.length > c.capacity) {
            throw new IllegalStateException("KV overflow: " + c.length + " + " + ids.length + " > " + c.capacity);
        }
        int pads = 0;
        for (int id : ids) {
            pads += id == Tokens.PAD ? 1 : 0;
        }
        if (pads != audioSlots.length || audioVectors.length != audioSlots.length * HIDDEN) {
            throw new IllegalStateException(pads + " PAD ids but " + audioSlots.length + " audio slots");
        }
        for (int i = 0; i < audioSlots.length; i++) { // every audio slot is a PAD, in order
            if (ids[audioSlots[i]] != Tokens.PAD || (i > 0 && audioSlots[i] <= audioSlots[i - 1])) {
                throw new IllegalStateException("audio slot " + i + " at row " + audioSlots[i] + " is not a PAD in order");
            }
        }
        sleep(forwards.getAndIncrement() == 0 ? firstForwardDelayMs : forwardDelayMs);
        for (int i = 0; i < ids.length; i++) {
            c.rows[c.length + i] = new float[HIDDEN];
        }
        c.length += ids.length;
        maxLengthSeen = Math.max(maxLengthSeen, c.length);
        float[] logits = new float[logitRows.length * VOCAB]; // all 0 but the chosen id
        for (int r = 0; r < logitRows.length; r++) {
            int row = logitRows[r];
            int pick;
            if (audioSlots.length > 0 && ids[row] == Tokens.ASSISTANT) {
                int slot = Arrays.binarySearch(audioSlots, row - 1);
                float loud = audioVectors[slot * HIDDEN];
                pick = oddToken >= 0 ? oddToken : loud > threshold ? Tokens.TEXT_BEGIN : Tokens.SILENT;
                c.replyStep = 0;
            } else {
                int tok = ids[row];
                if (tok == Tokens.TEXT_BEGIN) {
                    pick = 151618; // NORMAL
                } else if (c.replyStep < replyLength) {
                    pick = 100 + c.replyStep++;
                } else {
                    pick = Tokens.TEXT_END;
                }
            }
            logits[r * VOCAB + pick] = 10f;
        }
        return logits;
    }

    private static void sleep(long ms) {
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Test text: "&lt;id&gt;" per text id, nothing for control ids. */
    static TextPieces pieces() {
        return new TextPieces() {
            @Override
            public String push(int id) {
                return id >= 151601 ? "" : "<" + id + ">";
            }

            @Override
            public String flush() {
                return "";
            }
        };
    }

    static final int[] PREFIX = {151609, 151611, 151644, 151644, 7, 8, 9, 151643};

    static StreamingEngine engine(FakeModel m, int blockSize) {
        return new StreamingEngine(m, PREFIX, FakeModel::pieces, blockSize);
    }

    /** A test signal: chunk i is a 1 kHz tone when loud[i], else near silence. */
    static float[] signal(boolean[] loud) {
        float[] x = new float[loud.length * 6400];
        for (int i = 0; i < x.length; i++) {
            boolean l = loud[i / 6400];
            x[i] = (float) ((l ? 0.5 : 0.001) * Math.sin(2 * Math.PI * 1000 * i / 16000.0));
        }
        return x;
    }
}
