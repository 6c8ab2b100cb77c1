package io.soundflow.engine.model;

/**
 * The model's guard against non-finite numbers: a NaN or an infinity that entered a forward would end
 * up in the KV cache and make every later step of the stream garbage, so inputs and outputs of each
 * stage are checked and a non-finite value fails the call naming the stage, never sampled from.
 */
final class Finite {
    private Finite() {
    }

    /** Index of the first non-finite value of {@code x[0 .. n)}, or -1. */
    static int firstBad(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Fails when {@code x} (row-major [rows, width]) holds a non-finite value: "STAGE: WHAT holds NaN at
     * row r, column c: HINT".
     */
    static void require(float[] x, int width, String stage, String what, String hint) {
        if (x == null) {
            return; // no values (callers may pass null for none)
        }
        int i = firstBad(x, x.length);
        if (i >= 0) {
            throw error(x, i, width, stage, what, hint);
        }
    }

    static NonFiniteException error(float[] x, int i, int width, String stage, String what, String hint) {
        return new NonFiniteException(stage + ": " + what + " holds " + x[i] + " at row " + i / width + ", column "
                + i % width + (hint.isEmpty() ? "" : ": " + hint));
    }

}
