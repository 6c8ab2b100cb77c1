package io.soundflow.engine.model;

import io.soundflow.engine.KvDtype;
import io.soundflow.engine.audio.LogMel;
import io.soundflow.engine.audio.Mel;
import io.soundflow.weights.TensorStore;

import java.util.ArrayList;
import java.util.List;

/**
 * A loaded thinker (audio tower + text decoder) for offline audio + text to text: the whole clip is
 * encoded and its vectors replace the {@code <|AUDIO|>} rows of the prompt. Immutable and shareable;
 * per-request state lives in a {@link KvCache}. Closing it unmaps the weights it owns.
 *
 * <p>Two audio conventions: Qwen2.5-Omni (300 s zero-padded mel, 2 s encoder windows, 25 vectors a
 * second) and, for the Audio-Interaction release used offline, its own (mel over the input padded to
 * 400 ms chunks, each chunk encoded alone into 10 vectors: also 25 a second).
 */
public final class OmniThinker implements AutoCloseable {
    /** How audio becomes mel frames and encoder windows. */
    public enum AudioConvention {
        /** Qwen2.5-Omni: {@link LogMel#qwenOffline}, windows of 2 x n_window frames. */
        QWEN_OFFLINE,
        /** Audio-Interaction release: {@link LogMel#audioInteraction}, windows of 40 frames. */
        AUDIO_INTERACTION
    }

    private final AudioTower audio;
    private final TextDecoder text;
    private final OmniTokens tokens;
    private final AudioConvention convention;
    private final List<TensorStore> stores;
    private final AutoCloseable owner;

    OmniThinker(AudioTower audio, TextDecoder text, OmniTokens tokens, List<TensorStore> stores) {
        this(audio, text, tokens, AudioConvention.QWEN_OFFLINE, stores, null);
    }

    OmniThinker(AudioTower audio, TextDecoder text, OmniTokens tokens, AudioConvention convention,
                List<TensorStore> stores) {
        this(audio, text, tokens, convention, stores, null);
    }

    OmniThinker(AudioTower audio, TextDecoder text, OmniTokens tokens, AudioConvention convention,
                List<TensorStore> stores, AutoCloseable owner) {
        if (audio.config().outputDim() != text.config().hidden()) {
            throw new IllegalArgumentException("audio output_dim " + audio.config().outputDim()
                    + " differs from the text hidden size " + text.config().hidden());
        }
        this.audio = audio;
        this.text = text;
        this.tokens = tokens;
        this.convention = convention;
        this.owner = owner;
        this.stores = List.copyOf(stores);
    }

    public AudioTower audio() {
        return audio;
    }

    public TextDecoder text() {
        return text;
    }

    public OmniTokens tokens() {
        return tokens;
    }

    public AudioConvention convention() {
        return convention;
    }

    /** Qwen2.5-Omni's audio vector count for {@code melFrames} frames: floor(ceil(L/2)/2). */
    public static int audioTokenCount(int melFrames) {
        return ((melFrames - 1) / 2 + 1) / 2;
    }

    /** Encoder window in mel frames for this model's convention. */
    public int window() {
        return convention == AudioConvention.QWEN_OFFLINE ? audio.hfWindow() : AudioInteractionModel.CHUNK_FRAMES;
    }

    /** The log-mel of 16 kHz mono samples in this model's convention. */
    public Mel mel(float[] samples) {
        return convention == AudioConvention.QWEN_OFFLINE ? LogMel.qwenOffline(samples) : LogMel.audioInteraction(samples);
    }

    /** Audio vectors (= {@code <|AUDIO|>} placeholders) that {@code melFrames} frames give. */
    public int audioVectors(int melFrames) {
        return AudioTower.outputLength(melFrames, window());
    }

    /** Encodes a whole clip's mel [melBins, frames] into [audioVectors(frames), hidden]. */
    public float[] encodeAudio(float[] mel, int frames, Probe probe) {
        return audio.encode(mel, frames, window(), probe);
    }

    /** A fresh cache (plain integer RoPE positions, as Hugging Face runs the thinker). */
    public KvCache newCache(int capacity) {
        return newCache(capacity, KvDtype.F32);
    }

    /** A fresh cache storing keys and values as {@code dtype} (plain integer RoPE positions). */
    public KvCache newCache(int capacity, KvDtype dtype) {
        return text.newCache(capacity, false, dtype);
    }

    /**
     * A cache for a prompt of {@code promptTokens} (audio included) and up to {@code newTokens} generated
     * tokens with keys and values stored as {@code dtype}, or one clear error when the model cannot hold that many positions (computed without overflow).
     */
    public KvCache newCache(int promptTokens, int newTokens, KvDtype dtype) {
        long need = (long) promptTokens + newTokens;
        int max = text.config().maxPositions();
        if (need > max) {
            throw new IllegalArgumentException("the prompt (" + promptTokens + " tokens, audio included) and " + newTokens
                    + " new tokens need " + need + " positions, more than the model's " + max
                    + " (max_position_embeddings / block_size): lower maxNewTokens or use shorter audio");
        }
        return newCache((int) need, dtype);
    }

    /**
     * Prefills {@code ids} (which hold one {@code <|AUDIO|>} per audio vector, in order) and returns the
     * logits of {@code logitRows}.
     */
    public float[] prefill(KvCache cache, int[] ids, float[] audioEmbeds, int[] logitRows, Probe probe) {
        int d = text.config().hidden();
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == tokens.audio()) {
                slots.add(i);
            }
        }
        int have = audioEmbeds == null ? 0 : audioEmbeds.length / d;
        if (slots.size() != have) {
            throw new IllegalArgumentException("the prompt has " + slots.size() + " audio placeholder tokens (id "
                    + tokens.audio() + ") but the audio gives " + have + " vectors");
        }
        int[] s = slots.stream().mapToInt(Integer::intValue).toArray();
        return text.forward(cache, ids, s, audioEmbeds == null ? new float[0] : audioEmbeds, logitRows, probe);
    }

    /** Forwards one generated token and returns its logits [vocab]. */
    public float[] step(KvCache cache, int id) {
        return text.forward(cache, new int[] {id}, new int[0], new float[0], new int[] {0}, Probe.NONE);
    }

    @Override
    public void close() {
        for (TensorStore s : stores) {
            s.close();
        }
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the model failed: " + e.getMessage(), e);
            }
        }
    }
}
