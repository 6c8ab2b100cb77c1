package io.soundflow.serve;

import io.soundflow.engine.DecoderCache;
import io.soundflow.engine.InteractionModel;
import io.soundflow.engine.KvDtype;
import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.tokenizer.Tokenizer;
import java.nio.file.Path;

/**
 * Test model: the loaded model with every reply step (a one-token forward without audio) delayed, so
 * that a client can act while a reply is being generated (the tiny model writes a whole reply in a few
 * milliseconds otherwise). Decisions and ids are the model's own.
 */
final class SlowReplies implements InteractionModel {
    private final InteractionModel m;
    private final long stepMillis;

    private SlowReplies(InteractionModel m, long stepMillis) {
        this.m = m;
        this.stepMillis = stepMillis;
    }

    /** An engine over {@code engine}'s model (shared, not owned) with each reply step taking at least {@code stepMillis}. */
    static StreamingEngine engine(StreamingEngine engine, Path modelDir, long stepMillis) {
        return new StreamingEngine(new SlowReplies(engine.model(), stepMillis), engine.prefixIds(),
                StreamingEngine.detokenizer(Tokenizer.load(modelDir.resolve("tokenizer.json"))), engine.blockSize());
    }

    private void pause(int[] ids, int[] audioSlots) {
        if (ids.length == 1 && audioSlots.length == 0) {
            try {
                Thread.sleep(stepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int hiddenSize() {
        return m.hiddenSize();
    }

    @Override
    public int vocabSize() {
        return m.vocabSize();
    }

    @Override
    public int audioVectorsPerChunk() {
        return m.audioVectorsPerChunk();
    }

    @Override
    public float[] encodeChunk(float[] mel, int frames) {
        return m.encodeChunk(mel, frames);
    }

    @Override
    public DecoderCache newCache(int capacity, boolean float16Positions, KvDtype dtype) {
        return m.newCache(capacity, float16Positions, dtype);
    }

    @Override
    public float[] forward(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows) {
        pause(ids, audioSlots);
        return m.forward(cache, ids, audioSlots, audioVectors, logitRows);
    }

    @Override
    public int[] greedy(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows) {
        pause(ids, audioSlots);
        return m.greedy(cache, ids, audioSlots, audioVectors, logitRows);
    }

    @Override
    public int[] greedy(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows,
                        int[] watch, float[] watched) {
        pause(ids, audioSlots);
        return m.greedy(cache, ids, audioSlots, audioVectors, logitRows, watch, watched);
    }
}
