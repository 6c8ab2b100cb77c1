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
        if ((long) heads * headDim > ConfigValues.MAX_SIZE) {
            throw new IllegalArgumentException("text config: " + heads + " heads of " + headDim + " exceed "
                    + ConfigValues.MAX_SIZE + " query values");
        }
        if (!(rmsEps > 0) || !Float.isFinite(rmsEps) || !(ropeTheta > 0) || !Double.isFinite(ropeTheta)) {
            throw new IllegalArgumentException("text config: the norm epsilon " + rmsEps + " and the RoPE base "
                    + ropeTheta + " must be finite numbers above 0");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("text config: " + heads + " query heads are not a multiple of "
                    + kvHeads + " key/value heads");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("text config: head_dim " + headDim + " must be even for RoPE");
        }
    }

    /**
     * Checks at load that every id of {@code tokenizer} has a row in this decoder's embedding.
     *
     * @param configFile the file this config was read from, named in the message with the tokenizer's
     * @throws io.soundflow.tokenizer.TokenizerException naming both files and the first id beyond the vocabulary
     */
    public void requireTokenizer(io.soundflow.tokenizer.Tokenizer tokenizer, Object configFile) {
        tokenizer.requireIdsBelow(vocab, String.valueOf(configFile));
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

    /** Reads an HF {@code text_config} (Qwen2.5-Omni thinker); every value is range-checked, naming the key. */
    public static TextDecoderConfig fromHf(JsonNode t, String where) {
        int hidden = ConfigValues.requireSize(t, "hidden_size", where);
        int heads = ConfigValues.requireSize(t, "num_attention_heads", where);
        int headDim = t.hasNonNull("head_dim") ? ConfigValues.requireSize(t, "head_dim", where)
                : derivedHeadSize(hidden, heads, where, "hidden_size", "num_attention_heads");
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
            long sum = 0;
            for (JsonNode v : rope.get("mrope_section")) {
                sum += ConfigValues.checkedInt(v, "mrope_section", where, 0, ConfigValues.MAX_SIZE);
            }
            if (sum != headDim / 2) {
                throw new IllegalArgumentException(where + ": mrope_section sums to " + sum + ", expected head_dim / 2 = "
                        + headDim / 2);
            }
        }
        if (t.path("use_sliding_window").asBoolean(false)) {
            throw new IllegalArgumentException(where + ": use_sliding_window=true is not supported");
        }
        try {
            return new TextDecoderConfig(hidden,
                    ConfigValues.requireInt(t, "num_hidden_layers", where, 1, ConfigValues.MAX_LAYERS),
                    heads,
                    ConfigValues.optionalInt(t, "num_key_value_heads", where, heads, 1, ConfigValues.MAX_SIZE),
                    headDim,
                    ConfigValues.requireSize(t, "intermediate_size", where),
                    ConfigValues.requireSize(t, "vocab_size", where),
                    epsilon(t, "rms_norm_eps", where),
                    ConfigValues.optionalPositive(t, "rope_theta", where, 1e6),
                    ConfigValues.optionalInt(t, "max_position_embeddings", where, 32768, 1, ConfigValues.MAX_SIZE));
        } catch (IllegalArgumentException e) {
            throw ConfigValues.renamed(e, "text config", where);
        }
    }

    /**
     * Reads a litgpt {@code model_config.yaml} (Audio-Interaction release), checking the features it implies;
     * every value is range-checked, naming the key.
     */
    public static TextDecoderConfig fromLitgpt(JsonNode y, String where) {
        int nEmbd = ConfigValues.requireSize(y, "n_embd", where);
        int nHead = ConfigValues.requireSize(y, "n_head", where);
        int headSize = y.hasNonNull("head_size") ? ConfigValues.requireSize(y, "head_size", where)
                : derivedHeadSize(nEmbd, nHead, where, "n_embd", "n_head");
        int groups = ConfigValues.optionalInt(y, "n_query_groups", where, nHead, 1, ConfigValues.MAX_SIZE);
        int vocab;
        if (y.hasNonNull("padded_vocab_size")) {
            vocab = ConfigValues.requireSize(y, "padded_vocab_size", where);
        } else {
            long v = ConfigValues.requireSize(y, "vocab_size", where);
            long m = ConfigValues.optionalInt(y, "padding_multiple", where, 512, 1, ConfigValues.MAX_SIZE);
            long padded = (v + m - 1) / m * m;
            if (padded > ConfigValues.MAX_SIZE) {
                throw new IllegalArgumentException(where + ": vocab_size " + v + " padded to a multiple of "
                        + "padding_multiple " + m + " is " + padded + ", above " + ConfigValues.MAX_SIZE);
            }
            vocab = (int) padded;
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
        double rot = y.hasNonNull("rotary_percentage") ? ConfigValues.optionalPositive(y, "rotary_percentage", where, 1.0) : 1.0;
        if (rot != 1.0 || ConfigValues.optionalInt(y, "rope_condense_ratio", where, 1, 1, ConfigValues.MAX_SIZE) != 1
                || y.hasNonNull("rope_adjustments")) {
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
        try {
            return new TextDecoderConfig(nEmbd,
                    ConfigValues.requireInt(y, "n_layer", where, 1, ConfigValues.MAX_LAYERS),
                    nHead, groups, headSize,
                    ConfigValues.requireSize(y, "intermediate_size", where),
                    vocab,
                    epsilon(y, "norm_eps", where),
                    ConfigValues.optionalPositive(y, "rope_base", where, 10000),
                    ConfigValues.optionalInt(y, "block_size", where, 4096, 1, ConfigValues.MAX_SIZE));
        } catch (IllegalArgumentException e) {
            throw ConfigValues.renamed(e, "text config", where);
        }
    }

    /** The head width implied by the model width and the head count, when the config gives none. */
    private static int derivedHeadSize(int width, int heads, String where, String widthKey, String headsKey) {
        if (width < heads) {
            throw new IllegalArgumentException(where + ": " + widthKey + " " + width + " is less than " + headsKey
                    + " " + heads + " (and no head size is given)");
        }
        return width / heads;
    }

    /** A norm epsilon: a finite number above 0 that stays so in float32; 1e-6 when absent. */
    private static float epsilon(JsonNode n, String key, String where) {
        double eps = ConfigValues.optionalPositive(n, key, where, 1e-6);
        if (!((float) eps > 0) || !Float.isFinite((float) eps)) {
            throw new IllegalArgumentException(where + ": " + key + " " + eps + " is not a positive float32");
        }
        return (float) eps;
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
