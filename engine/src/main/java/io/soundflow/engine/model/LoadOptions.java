package io.soundflow.engine.model;

import io.soundflow.kernels.Backends;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightFormat;

/**
 * How a checkpoint is loaded.
 *
 * @param kernels  the backend the model computes with
 * @param quantize null to keep every weight in its file dtype, else the format every weight matrix is converted
 *                 to at load (embedding and lm_head included): Q8_0 or Q4_0 (the matrices whose row length is
 *                 a multiple of 32), or F32, F16 or BF16 (all of them; e.g. the same checkpoint in f32 and bf16)
 * @param progress told of each tensor prepared ({@link LoadProgress#NONE} for nothing)
 */
public record LoadOptions(Kernels kernels, WeightFormat quantize, LoadProgress progress) {

    public LoadOptions {
        progress = progress == null ? LoadProgress.NONE : progress;
    }

    /** No progress reports. */
    public LoadOptions(Kernels kernels, WeightFormat quantize) {
        this(kernels, quantize, LoadProgress.NONE);
    }

    /** These options reporting to {@code p}. */
    public LoadOptions withProgress(LoadProgress p) {
        return new LoadOptions(kernels, quantize, p);
    }

    /** The process backend, weights as stored. */
    public static LoadOptions defaults() {
        return new LoadOptions(Backends.get(), null);
    }

    /** Parses "q8_0" / "q4_0" / "none" (case-insensitive): the quantized formats only. */
    public static WeightFormat parseQuantize(String s) {
        if (s == null || s.isBlank() || s.equalsIgnoreCase("none")) {
            return null;
        }
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "q8_0", "q8" -> WeightFormat.Q8_0;
            case "q4_0", "q4" -> WeightFormat.Q4_0;
            default -> throw new IllegalArgumentException("LoadOptions.quantize '" + s + "': choose q8_0 or q4_0");
        };
    }

    /**
     * Parses a weight format to convert to at load: "q8_0", "q4_0", "f32", "f16", "bf16" or "none"/null (as
     * stored), case-insensitive.
     */
    public static WeightFormat parseFormat(String s) {
        if (s == null || s.isBlank() || s.equalsIgnoreCase("none")) {
            return null;
        }
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> WeightFormat.F32;
            case "f16" -> WeightFormat.F16;
            case "bf16" -> WeightFormat.BF16;
            case "q8_0", "q8" -> WeightFormat.Q8_0;
            case "q4_0", "q4" -> WeightFormat.Q4_0;
            default -> throw new IllegalArgumentException("LoadOptions.quantize '" + s + "': choose f32, bf16, f16, q8_0 or q4_0");
        };
    }
}
