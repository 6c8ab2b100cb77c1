package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Sizes of the Qwen2.5-Omni audio encoder, read from a checkpoint's {@code audio_config}.
 *
 * @param melBins      mel bins of the input (128)
 * @param dModel       encoder width (1280 for 3B)
 * @param layers       encoder layers (32)
 * @param heads        attention heads (20; head dim = dModel / heads)
 * @param ffnDim       MLP width (5120)
 * @param nWindow      half the HF encoder window in mel frames (100: windows of 200 frames)
 * @param maxPositions rows of the sinusoid table (1500)
 * @param outputDim    width after {@code proj} (= the text hidden size)
 */
public record AudioEncoderConfig(int melBins, int dModel, int layers, int heads, int ffnDim, int nWindow,
                                 int maxPositions, int outputDim) {

    /** Ceiling of {@code n_window} and {@code max_source_positions}: the real model has 100 and 1500. */
    public static final int MAX_POSITIONS = 1 << 16;

    /** LayerNorm epsilon of the encoder (torch default). */
    public static final float LN_EPS = 1e-5f;

    public AudioEncoderConfig {
        ConfigValues.positive("audio_config", "num_mel_bins", melBins);
        ConfigValues.positive("audio_config", "d_model", dModel);
        ConfigValues.positive("audio_config", "encoder_layers", layers);
        ConfigValues.positive("audio_config", "encoder_attention_heads", heads);
        ConfigValues.positive("audio_config", "encoder_ffn_dim", ffnDim);
        ConfigValues.positive("audio_config", "n_window", nWindow);
        ConfigValues.positive("audio_config", "max_source_positions", maxPositions);
        ConfigValues.positive("audio_config", "output_dim", outputDim);
        if (nWindow > MAX_POSITIONS || maxPositions > MAX_POSITIONS) {
            throw new IllegalArgumentException("audio_config: n_window " + nWindow + " and max_source_positions "
                    + maxPositions + " must be at most " + MAX_POSITIONS);
        }
        if (dModel % heads != 0 || dModel % 2 != 0) {
            throw new IllegalArgumentException("audio_config: d_model " + dModel
                    + " is not a multiple of encoder_attention_heads " + heads + " (and of 2)");
        }
    }

    /** Head width. */
    public int headDim() {
        return dModel / heads;
    }

    /**
     * Checks at load that encoder windows of {@code window} mel frames fit the sinusoid position table
     * ({@code max_source_positions} rows; a window of w frames needs (w - 1) / 2 + 1 of them).
     *
     * @param what the window, for the message ("the Audio-Interaction chunk", "2 x n_window")
     */
    public void requireWindow(long window, String what, String where) {
        long rows = (window - 1) / 2 + 1;
        if (window < 2 || rows > maxPositions) {
            throw new IllegalArgumentException(where + ": audio_config.max_source_positions " + maxPositions
                    + " is too small for encoder windows of " + window + " mel frames (" + what + "), which need "
                    + rows + " positions");
        }
    }

    /** Reads an {@code audio_config} JSON object (HF names); every value is range-checked, naming the key. */
    public static AudioEncoderConfig fromJson(JsonNode a, String where) {
        String act = a.path("activation_function").asText("gelu");
        if (!act.equals("gelu")) {
            throw new IllegalArgumentException(where + ": audio activation_function '" + act
                    + "' is not supported (only exact gelu)");
        }
        try {
            return new AudioEncoderConfig(
                    ConfigValues.requireInt(a, "num_mel_bins", where, 1, 1 << 12),
                    ConfigValues.requireSize(a, "d_model", where),
                    ConfigValues.requireInt(a, "encoder_layers", where, 1, ConfigValues.MAX_LAYERS),
                    ConfigValues.requireSize(a, "encoder_attention_heads", where),
                    ConfigValues.requireSize(a, "encoder_ffn_dim", where),
                    ConfigValues.optionalInt(a, "n_window", where, 100, 1, MAX_POSITIONS),
                    ConfigValues.optionalInt(a, "max_source_positions", where, 1500, 1, MAX_POSITIONS),
                    ConfigValues.requireSize(a, "output_dim", where));
        } catch (IllegalArgumentException e) {
            throw ConfigValues.renamed(e, "audio_config", where);
        }
    }
}
