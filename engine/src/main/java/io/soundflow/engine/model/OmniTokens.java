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

    static OmniTokens fromThinkerConfig(JsonNode t) {
        JsonNode text = t.path("text_config");
        int eos = t.path("eos_token_id").asInt(text.path("eos_token_id").asInt(151645));
        int pad = t.path("pad_token_id").asInt(text.path("pad_token_id").asInt(151643));
        return new OmniTokens(
                t.path("audio_token_index").asInt(t.path("audio_token_id").asInt(151646)),
                t.path("audio_start_token_id").asInt(151647),
                t.path("audio_end_token_id").asInt(151648),
                eos, pad);
    }

    /** Whether decoding stops at {@code id}. */
    public boolean isStop(int id) {
        return id == imEnd || id == endOfText;
    }
}
