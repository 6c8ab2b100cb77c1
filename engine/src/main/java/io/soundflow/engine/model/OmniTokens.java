package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The special token ids of a Qwen2.5-Omni thinker, read from its {@code thinker_config} (the tiny golden
 * models move them; the real ones are 151643...).
 *
 * @param audio      {@code <|AUDIO|>} placeholder ({@code audio_token_index})
 * @param audioStart {@code <|audio_bos|>}
 * @param audioEnd   {@code <|audio_eos|>}
 * @param imEnd      {@code <|im_end|>} (EOS, a stop token)
 * @param endOfText  {@code <|endoftext|>} (pad, also a stop token)
 */
public record OmniTokens(int audio, int audioStart, int audioEnd, int imEnd, int endOfText) {

    /** Reads the ids, each of which must be a row of the {@code vocab}-row embedding. */
    static OmniTokens fromThinkerConfig(JsonNode t, int vocab, String where) {
        JsonNode text = t.path("text_config");
        int max = vocab - 1;
        int eos = ConfigValues.optionalInt(t, "eos_token_id", where,
                ConfigValues.optionalInt(text, "eos_token_id", where, 151645, 0, max), 0, max);
        int pad = ConfigValues.optionalInt(t, "pad_token_id", where,
                ConfigValues.optionalInt(text, "pad_token_id", where, 151643, 0, max), 0, max);
        return new OmniTokens(
                ConfigValues.optionalInt(t, "audio_token_index", where,
                        ConfigValues.optionalInt(t, "audio_token_id", where, 151646, 0, max), 0, max),
                ConfigValues.optionalInt(t, "audio_start_token_id", where, 151647, 0, max),
                ConfigValues.optionalInt(t, "audio_end_token_id", where, 151648, 0, max),
                eos, pad);
    }

    /** Whether decoding stops at {@code id}. */
    public boolean isStop(int id) {
        return id == imEnd || id == endOfText;
    }
}
