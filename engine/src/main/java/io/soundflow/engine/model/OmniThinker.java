package io.soundflow.engine.model;

import io.soundflow.weights.TensorStore;

import java.util.ArrayList;
import java.util.List;

/**
 * A loaded Qwen2.5-Omni thinker (audio tower + text decoder) for offline audio + text to text: the whole
 * clip is encoded in 2 s windows and its vectors replace the {@code <|AUDIO|>} rows of the prompt.
 * Immutable and shareable; per-request state lives in a {@link KvCache}. Closing it unmaps the weights.
 */
public final class OmniThinker implements AutoCloseable {
    private final AudioTower audio;
    private final TextDecoder text;
    private final OmniTokens tokens;
    private final List<TensorStore> stores;

    OmniThinker(AudioTower audio, TextDecoder text, OmniTokens tokens, List<TensorStore> stores) {
        if (audio.config().outputDim() != text.config().hidden()) {
            throw new IllegalArgumentException("audio output_dim " + audio.config().outputDim()
                    + " differs from the text hidden size " + text.config().hidden());
        }
        this.audio = audio;
        this.text = text;
        this.tokens = tokens;
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

    /** Audio vectors (and {@code <|AUDIO|>} placeholders) for {@code melFrames} frames: floor(ceil(L/2)/2). */
    public static int audioTokenCount(int melFrames) {
        return ((melFrames - 1) / 2 + 1) / 2;
    }

    /** Encodes a whole clip's mel [melBins, frames] into [audioTokenCount(frames), hidden]. */
    public float[] encodeAudio(float[] mel, int frames, Probe probe) {
        return audio.encode(mel, frames, audio.hfWindow(), probe);
    }

    /** A fresh cache (plain integer RoPE positions, as Hugging Face runs the thinker). */
    public KvCache newCache(int capacity) {
        return text.newCache(capacity, false);
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
    }
}
