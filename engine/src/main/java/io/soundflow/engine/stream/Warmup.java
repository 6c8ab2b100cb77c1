package io.soundflow.engine.stream;

import io.soundflow.engine.DecoderCache;
import io.soundflow.engine.KvDtype;
import io.soundflow.engine.InteractionModel;
import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.Mel;

/**
 * Runs a model on synthetic data of its own shapes (one chunk through the audio tower, one listening
 * forward after the prefix and one reply step, in a throwaway cache of each {@link KvDtype}) so that the JIT has compiled the
 * kernels before a stream's first chunk: otherwise the first decisions of a fresh process run through
 * interpreted Vector API code, many times slower. The model is immutable, so nothing is left behind.
 */
public final class Warmup {
    private Warmup() {
    }

    /** Runs {@code rounds} warm-up passes; returns the nanoseconds they took. */
    public static long run(InteractionModel m, int[] prefix, int rounds) {
        long t0 = System.nanoTime();
        float[] samples = new float[AudioInteractionMel.CHUNK_SAMPLES];
        for (int i = 0; i < samples.length; i++) { // a tone over a little noise-like ripple: ordinary values
            samples[i] = (float) (0.1 * Math.sin(2 * Math.PI * 440 * i / 16_000.0) + 0.01 * Math.sin(i * 1.7));
        }
        Mel mel = AudioInteractionMel.chunkLocal(samples);
        int slots = m.audioVectorsPerChunk();
        if (slots != 10) {
            throw new IllegalArgumentException("the Audio-Interaction format has 10 audio slots per chunk; the model gives " + slots);
        }
        int n = prefix.length + DecoderLoop.BLOCK;
        int[] ids = new int[n];
        System.arraycopy(prefix, 0, ids, 0, prefix.length);
        int[] audioSlots = new int[slots];
        int p = prefix.length;
        ids[p++] = Tokens.AUDIO_BEGIN;
        for (int i = 0; i < slots; i++) {
            audioSlots[i] = p;
            ids[p++] = Tokens.PAD;
        }
        ids[p] = Tokens.ASSISTANT;
        for (int r = 0; r < rounds; r++) {
            float[] vectors = m.encodeChunk(mel.data(), mel.frames());
            for (KvDtype dtype : KvDtype.values()) {
                DecoderCache cache = m.newCache(n + 2, true, dtype);
                m.greedy(cache, ids, audioSlots, vectors, new int[] {n - 1});
                m.greedy(cache, new int[] {Tokens.TEXT_BEGIN}, new int[0], new float[0], new int[] {0});
            }
        }
        return System.nanoTime() - t0;
    }
}
