package io.soundflow.engine;

/**
 * What the streaming runtime needs from a loaded thinker (audio tower + text decoder): the contract
 * between the immutable model and the perceive-decide-respond loop. Implementations are immutable and
 * shared by every session; all per-stream state lives in the {@link DecoderCache} a session owns.
 */
public interface InteractionModel {

    /** Width of the decoder's hidden state (and of each audio vector). */
    int hiddenSize();

    /** Number of rows of the output logits. */
    int vocabSize();

    /** Audio vectors one 400 ms chunk (40 mel frames) yields: 10 for the released model. */
    int audioVectorsPerChunk();

    /**
     * Encodes one chunk's log-mel, row-major [melBins, frames] (frames = 40 for a 400 ms chunk), into
     * audio vectors [audioVectorsPerChunk, hiddenSize] (row-major), projection adapter included.
     */
    float[] encodeChunk(float[] mel, int frames);

    /** Fresh working memory for one stream's encoder (see {@link EncoderState}). */
    default EncoderState newEncoderState() {
        return EncoderState.NONE;
    }

    /** {@link #encodeChunk(float[], int)} reusing the buffers of {@code state} (one thread at a time). */
    default float[] encodeChunk(EncoderState state, float[] mel, int frames) {
        return encodeChunk(mel, frames);
    }

    /** A fresh, empty float32 KV cache of {@code capacity} positions for one stream. */
    default DecoderCache newCache(int capacity, boolean float16Positions) {
        return newCache(capacity, float16Positions, KvDtype.F32);
    }

    /**
     * A fresh, empty KV cache of {@code capacity} positions for one stream, storing keys and values as
     * {@code dtype}.
     *
     * @throws IllegalArgumentException when a full cache of that capacity could not fit (the message says
     *                                  what it needs)
     */
    DecoderCache newCache(int capacity, boolean float16Positions, KvDtype dtype);

    /**
     * Forwards {@code ids} at the cache's next positions (cache.length() .. + ids.length - 1) and appends
     * their keys and values. Row {@code audioSlots[j]} of the batch takes audio vector j of
     * {@code audioVectors} ([audioSlots.length, hiddenSize]) instead of its token embedding.
     * Returns the logits of the rows listed in {@code logitRows}, row-major [logitRows.length, vocabSize].
     */
    float[] forward(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows);

    /**
     * {@link #forward} for a greedy decision: the argmax of each row of {@code logitRows} (ties to the lowest
     * id). A backend may find it where the logits are and read back one int a row; this default reads the
     * logits.
     */
    default int[] greedy(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows) {
        return greedy(cache, ids, audioSlots, audioVectors, logitRows, new int[0], new float[0]);
    }

    /**
     * {@link #greedy(DecoderCache, int[], int[], float[], int[])} that also reads the logits of the ids in
     * {@code watch} at each row of {@code logitRows}: {@code watched[row * watch.length + i]} is the logit of
     * {@code watch[i]} (a decision's {@code <silent>} and {@code <response>}, a few floats a row). This default
     * reads the logits.
     */
    default int[] greedy(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows,
                         int[] watch, float[] watched) {
        float[] logits = forward(cache, ids, audioSlots, audioVectors, logitRows);
        int v = vocabSize();
        int[] best = new int[logitRows.length];
        for (int j = 0; j < best.length; j++) {
            int b = 0;
            for (int i = 1; i < v; i++) {
                if (logits[j * v + i] > logits[j * v + b]) {
                    b = i;
                }
            }
            best[j] = b;
            for (int i = 0; i < watch.length; i++) {
                watched[j * watch.length + i] = logits[j * v + watch[i]];
            }
        }
        return best;
    }
}
