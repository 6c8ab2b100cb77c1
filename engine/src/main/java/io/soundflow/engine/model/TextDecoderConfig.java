package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Sizes of the Qwen2.5 text decoder, read from a checkpoint's config (HF {@code text_config} or a
 * litgpt {@code model_config.yaml}).
 *
 * @param hidden       hidden size (2048 for 3B)
 * @param layers       decoder layers (36)
 * @param heads        query heads (16)
 * @param kvHeads      key/value heads (2)
 * @param headDim      head width (128)
 * @param intermediate MLP width (11008)
 * @param vocab        rows of the embedding and the lm_head (151936)
 * @param rmsEps       RMSNorm epsilon (1e-6)
 * @param ropeTheta    RoPE base (1e6)
 * @param maxPositions maximal sequence length (32768)
 */
public record TextDecoderConfig(int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate,
                                int vocab, float rmsEps, double ropeTheta, int maxPositions) {

    public TextDecoderConfig {
        ConfigValues.positive("text config", "hidden_size", hidden);
        ConfigValues.positive("text config", "num_hidden_layers", layers);
        ConfigValues.positive("text config", "num_attention_heads", heads);
        ConfigValues.positive("text config", "num_key_value_heads", kvHeads);
        ConfigValues.positive("text config", "head_dim", headDim);
        ConfigValues.positive("text config", "intermediate_size", intermediate);
        ConfigValues.positive("text config", "vocab_size", vocab);
        ConfigValues.positive("text config", "max_position_embeddings", maxPositions);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("text config: " + heads + " query heads are not a multiple of "
                    + kvHeads + " key/value heads");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("text config: head_dim " + headDim + " must be even for RoPE");
        }
    }

    /** Width of all query heads together. */
    public int qDim() {
        return heads * headDim;
    }

    /** Width of all key (or value) heads together. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** RoPE inverse frequencies as float32, as HF and litgpt compute them: 1 / theta^(2i / headDim). */
    public float[] invFreq() {
        float[] f = new float[headDim / 2];
        for (int i = 0; i < f.length; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            f[i] = 1f / (float) Math.pow(ropeTheta, exponent);
        }
        return f;
    }

    /** Reads an HF {@code text_config} (Qwen2.5-Omni thinker). */
    public static TextDecoderConfig fromHf(JsonNode t, String where) {
        int hidden = ConfigValues.requireInt(t, "hidden_size", where);
        int heads = ConfigValues.requireInt(t, "num_attention_heads", where);
        int headDim = t.hasNonNull("head_dim") ? ConfigValues.requireInt(t, "head_dim", where) : hidden / heads;
        String act = t.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException(where + ": hidden_act '" + act + "' is not supported (only silu)");
        }
        JsonNode rope = t.hasNonNull("rope_scaling") ? t.get("rope_scaling") : t.path("rope_parameters");
        String ropeType = rope.path("rope_type").asText(rope.path("type").asText("default"));
        if (!ropeType.equals("default")) {
            throw new IllegalArgumentException(where + ": rope_type '" + ropeType + "' is not supported (only default)");
        }
        if (rope.has("mrope_section")) {
            // M-RoPE: for audio + text every token's three position ids are equal, so it is plain RoPE; the
            // sections must still cover the head's frequencies exactly
            int sum = 0;
            for (JsonNode v : rope.get("mrope_section")) {
                sum += v.asInt();
            }
            if (sum != headDim / 2) {
                throw new IllegalArgumentException(where + ": mrope_section sums to " + sum + ", expected head_dim / 2 = "
                        + headDim / 2);
            }
        }
        if (t.path("use_sliding_window").asBoolean(false)) {
            throw new IllegalArgumentException(where + ": use_sliding_window=true is not supported");
        }
        return new TextDecoderConfig(hidden,
                ConfigValues.requireInt(t, "num_hidden_layers", where),
                heads,
                t.hasNonNull("num_key_value_heads") ? ConfigValues.requireInt(t, "num_key_value_heads", where) : heads,
                headDim,
                ConfigValues.requireInt(t, "intermediate_size", where),
                ConfigValues.requireInt(t, "vocab_size", where),
                (float) t.path("rms_norm_eps").asDouble(1e-6),
                t.path("rope_theta").asDouble(1e6),
                t.path("max_position_embeddings").asInt(32768));
    }

    /** Reads a litgpt {@code model_config.yaml} (Audio-Interaction release), checking the features it implies. */
    public static TextDecoderConfig fromLitgpt(JsonNode y, String where) {
        int nEmbd = ConfigValues.requireInt(y, "n_embd", where);
        int nHead = ConfigValues.requireInt(y, "n_head", where);
        int headSize = y.hasNonNull("head_size") ? ConfigValues.requireInt(y, "head_size", where) : nEmbd / nHead;
        int groups = y.hasNonNull("n_query_groups") ? ConfigValues.requireInt(y, "n_query_groups", where) : nHead;
        int vocab;
        if (y.hasNonNull("padded_vocab_size")) {
            vocab = ConfigValues.requireInt(y, "padded_vocab_size", where);
        } else {
            int v = ConfigValues.requireInt(y, "vocab_size", where);
            int m = y.path("padding_multiple").asInt(512);
            vocab = (v + m - 1) / m * m;
        }
        expect(y, "norm_class_name", "RMSNorm", where);
        expect(y, "mlp_class_name", "LLaMAMLP", where);
        expectFalse(y, "parallel_residual", where);
        expectFalse(y, "bias", where);
        expectFalse(y, "lm_head_bias", where);
        expectFalse(y, "scale_embeddings", where);
        if (!y.path("attn_bias").asBoolean(false)) {
            throw new IllegalArgumentException(where + ": attn_bias=false is not supported (Qwen2.5 has q/k/v biases)");
        }
        double rot = y.path("rotary_percentage").asDouble(1.0);
        if (rot != 1.0 || y.path("rope_condense_ratio").asInt(1) != 1 || y.hasNonNull("rope_adjustments")) {
            throw new IllegalArgumentException(where + ": only full plain RoPE is supported (rotary_percentage 1,"
                    + " rope_condense_ratio 1, no rope_adjustments)");
        }
        for (String k : new String[] {"norm_qk", "post_attention_norm", "post_mlp_norm", "shared_attention_norm"}) {
            expectFalse(y, k, where);
        }
        for (String k : new String[] {"sliding_window_size", "attention_logit_softcapping",
                "final_logit_softcapping", "attention_scores_scalar"}) {
            if (y.hasNonNull(k)) {
                throw new IllegalArgumentException(where + ": " + k + " is not supported (must be null)");
            }
        }
        return new TextDecoderConfig(nEmbd,
                ConfigValues.requireInt(y, "n_layer", where),
                nHead, groups, headSize,
                ConfigValues.requireInt(y, "intermediate_size", where),
                vocab,
                (float) y.path("norm_eps").asDouble(1e-6),
                y.path("rope_base").asDouble(10000),
                y.path("block_size").asInt(4096));
    }

    private static void expect(JsonNode y, String key, String value, String where) {
        if (y.hasNonNull(key) && !y.get(key).asText().equals(value)) {
            throw new IllegalArgumentException(where + ": " + key + " '" + y.get(key).asText()
                    + "' is not supported (expected " + value + ")");
        }
    }

    private static void expectFalse(JsonNode y, String key, String where) {
        if (y.path(key).asBoolean(false)) {
            throw new IllegalArgumentException(where + ": " + key + "=true is not supported");
        }
    }
}
