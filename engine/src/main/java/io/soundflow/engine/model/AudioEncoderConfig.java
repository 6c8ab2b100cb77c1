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
        if (dModel % heads != 0 || dModel % 2 != 0) {
            throw new IllegalArgumentException("audio_config: d_model " + dModel
                    + " is not a multiple of encoder_attention_heads " + heads + " (and of 2)");
        }
    }

    /** Head width. */
    public int headDim() {
        return dModel / heads;
    }

    /** Reads an {@code audio_config} JSON object (HF names). */
    public static AudioEncoderConfig fromJson(JsonNode a, String where) {
        String act = a.path("activation_function").asText("gelu");
        if (!act.equals("gelu")) {
            throw new IllegalArgumentException(where + ": audio activation_function '" + act
                    + "' is not supported (only exact gelu)");
        }
        return new AudioEncoderConfig(
                ConfigValues.requireInt(a, "num_mel_bins", where),
                ConfigValues.requireInt(a, "d_model", where),
                ConfigValues.requireInt(a, "encoder_layers", where),
                ConfigValues.requireInt(a, "encoder_attention_heads", where),
                ConfigValues.requireInt(a, "encoder_ffn_dim", where),
                a.path("n_window").asInt(100),
                a.path("max_source_positions").asInt(1500),
                ConfigValues.requireInt(a, "output_dim", where));
    }
}
