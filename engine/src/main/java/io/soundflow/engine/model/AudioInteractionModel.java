package io.soundflow.engine.model;

import io.soundflow.engine.DecoderCache;
import io.soundflow.engine.EncoderState;
import io.soundflow.engine.KvDtype;
import io.soundflow.engine.InteractionModel;
import io.soundflow.weights.TensorStore;

import java.util.List;

/**
 * The released Audio-Interaction model loaded for streaming: every 400 ms chunk (40 mel frames) is encoded
 * alone into 10 vectors of the LM width (the adapter is the tower's {@code proj}); the litgpt decoder reads
 * them in the 10 slots of a listening block. Immutable and shared by every session.
 */
public final class AudioInteractionModel implements InteractionModel, AutoCloseable {
    /** Mel frames of one 400 ms chunk, each encoded as its own window. */
    public static final int CHUNK_FRAMES = 40;

    private final AudioTower audio;
    private final TextDecoder text;
    private final List<TensorStore> stores;

    AudioInteractionModel(AudioTower audio, TextDecoder text, List<TensorStore> stores) {
        if (audio.config().outputDim() != text.config().hidden()) {
            throw new IllegalArgumentException("audio tower output " + audio.config().outputDim()
                    + " differs from the LM width " + text.config().hidden());
        }
        this.audio = audio;
        this.text = text;
        this.stores = List.copyOf(stores);
    }

    /** A model over already-built parts that owns no mapped files (generated or random weights). */
    public static AudioInteractionModel of(AudioTower audio, TextDecoder text) {
        return new AudioInteractionModel(audio, text, List.of());
    }

    public AudioTower audio() {
        return audio;
    }

    public TextDecoder text() {
        return text;
    }

    @Override
    public int hiddenSize() {
        return text.config().hidden();
    }

    @Override
    public int vocabSize() {
        return text.config().vocab();
    }

    @Override
    public int audioVectorsPerChunk() {
        return AudioTower.outputLength(CHUNK_FRAMES, CHUNK_FRAMES);
    }

    @Override
    public float[] encodeChunk(float[] mel, int frames) {
        return encodeChunk(mel, frames, Probe.NONE);
    }

    @Override
    public EncoderState newEncoderState() {
        return audio.newState();
    }

    @Override
    public float[] encodeChunk(EncoderState state, float[] mel, int frames) {
        checkChunkFrames(frames);
        return audio.encode(mel, frames, CHUNK_FRAMES, Probe.NONE, state);
    }

    private static void checkChunkFrames(int frames) {
        if (frames <= 0 || frames % CHUNK_FRAMES != 0) {
            throw new IllegalArgumentException("an Audio-Interaction chunk has " + CHUNK_FRAMES
                    + " mel frames (or a multiple), got " + frames);
        }
    }

    /**
     * Encodes mel [melBins, frames] with frames a multiple of 40 (each 40-frame chunk alone) into
     * [10 * frames / 40, hidden]. Probe stages: {@code embed}, {@code layer<i>}, {@code pooled}, {@code ln_post}.
     */
    public float[] encodeChunk(float[] mel, int frames, Probe probe) {
        checkChunkFrames(frames);
        return audio.encode(mel, frames, CHUNK_FRAMES, probe, EncoderState.NONE);
    }

    /**
     * The released placement of a chunk's vectors in a listening forward of {@code tokens} tokens: the
     * {@code audioVectorsPerChunk()} rows just before the last token (the PAD slots of
     * [AUDIO_BEGIN, PAD x 10, ASSISTANT]).
     */
    public int[] releasedAudioSlots(int tokens) {
        int n = audioVectorsPerChunk();
        if (tokens <= n) {
            throw new IllegalArgumentException("a listening forward needs more than " + n + " tokens, got " + tokens);
        }
        int[] slots = new int[n];
        for (int j = 0; j < n; j++) {
            slots[j] = tokens - 1 - n + j;
        }
        return slots;
    }

    @Override
    public KvCache newCache(int capacity, boolean float16Positions) {
        return text.newCache(capacity, float16Positions);
    }

    @Override
    public KvCache newCache(int capacity, boolean float16Positions, KvDtype dtype) {
        return text.newCache(capacity, float16Positions, dtype);
    }

    @Override
    public float[] forward(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows) {
        return forward(cache, ids, audioSlots, audioVectors, logitRows, Probe.NONE);
    }

    @Override
    public int[] greedy(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows,
                        int[] watch, float[] watched) {
        return text.greedy(kv(cache), ids, audioSlots, audioVectors == null ? new float[0] : audioVectors, logitRows,
                watch, watched);
    }

    private static KvCache kv(DecoderCache cache) {
        if (!(cache instanceof KvCache kv)) {
            throw new IllegalArgumentException("the cache was not made by this model's newCache");
        }
        return kv;
    }

    /** {@link #forward(DecoderCache, int[], int[], float[], int[])} reporting decoder stages to a probe. */
    public float[] forward(DecoderCache cache, int[] ids, int[] audioSlots, float[] audioVectors, int[] logitRows,
                           Probe probe) {
        return text.forward(kv(cache), ids, audioSlots, audioVectors == null ? new float[0] : audioVectors, logitRows, probe);
    }

    /**
     * This model seen as an offline thinker (Qwen chat format with {@code <|AUDIO|>} placeholders at the
     * real Qwen ids, audio in the release's convention). The view shares the weights and owns nothing:
     * keep this model open while using it.
     */
    public OmniThinker asThinker() {
        return new OmniThinker(audio, text, new OmniTokens(151646, 151647, 151648, 151645, 151643),
                OmniThinker.AudioConvention.AUDIO_INTERACTION, List.of());
    }

    @Override
    public void close() {
        for (TensorStore s : stores) {
            s.close();
        }
    }
}
