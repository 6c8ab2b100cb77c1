package io.soundflow.engine.model;

import io.soundflow.kernels.Backends;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightFormat;

/**
 * How a checkpoint is loaded.
 *
 * @param kernels  the backend the model computes with
 * @param quantize null to keep every weight in its file dtype, else Q8_0 or Q4_0: every matrix whose row
 *                 length is a multiple of 32 (embedding and lm_head included) is converted at load
 * @param progress told of each tensor prepared ({@link LoadProgress#NONE} for nothing)
 */
public record LoadOptions(Kernels kernels, WeightFormat quantize, LoadProgress progress) {

    public LoadOptions {
        if (quantize != null && !quantize.isQuantized()) {
            throw new IllegalArgumentException("LoadOptions.quantize takes q8_0 or q4_0, got " + quantize);
        }
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

    /** Parses "q8_0" / "q4_0" / "none" (case-insensitive). */
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
}
