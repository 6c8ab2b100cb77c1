package io.soundflow.engine.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits (per-session state: the seeded random stream).
 * Order of operations as in Hugging Face: repetition penalty, temperature, top-k, top-p, then a draw.
 * Greedy picks the argmax after the penalty, ties going to the lowest id.
 */
public final class Sampler {
    private final SamplingSettings settings;
    private final SplittableRandom random;

    public Sampler(SamplingSettings settings) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
    }

    public SamplingSettings settings() {
        return settings;
    }

    /** Argmax of logits[off .. off + n), ties to the lowest index. */
    public static int argmax(float[] logits, int off, int n) {
        int best = 0;
        float bv = logits[off];
        for (int i = 1; i < n; i++) {
            if (logits[off + i] > bv) {
                bv = logits[off + i];
                best = i;
            }
        }
        return best;
    }

    /**
     * The next token for the row logits[off .. off + vocab) (not modified); {@code history} lists the ids
     * seen so far (for the repetition penalty; may be empty).
     */
    public int next(float[] logits, int off, int vocab, int[] history) {
        return next(logits, off, vocab, history, history.length);
    }

    /** {@link #next(float[], int, int, int[])} with the history being {@code history[0 .. historyLength)}. */
    public int next(float[] logits, int off, int vocab, int[] history, int historyLength) {
        java.util.Objects.checkFromIndexSize(0, historyLength, history.length);
        float p = settings.repetitionPenalty();
        if (p == 1f && settings.greedy()) {
            return argmax(logits, off, vocab);           // nothing to modify: no copy of the row
        }
        float[] x = Arrays.copyOfRange(logits, off, off + vocab);
        if (p != 1f) {
            boolean[] seen = new boolean[vocab];
            for (int h = 0; h < historyLength; h++) {
                int id = history[h];
                if (id >= 0 && id < vocab && !seen[id]) {
                    seen[id] = true;
                    x[id] = x[id] > 0 ? x[id] / p : x[id] * p;
                }
            }
        }
        if (settings.greedy()) {
            return argmax(x, 0, vocab);
        }
        float inv = 1f / settings.temperature();
        int[] order = sortedDescending(x, vocab, settings.topK());
        int keep = order.length;
        double max = x[order[0]] * inv;
        double[] prob = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            prob[i] = Math.exp(x[order[i]] * inv - max);
            sum += prob[i];
        }
        if (settings.topP() < 1f) {
            double cum = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                cum += prob[i] / sum;
                if (cum >= settings.topP()) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            sum = 0;
            for (int i = 0; i < keep; i++) {
                sum += prob[i];
            }
        }
        double u = random.nextDouble() * sum;
        for (int i = 0; i < keep; i++) {
            u -= prob[i];
            if (u < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    /**
     * Ids ordered by descending logit, ties by ascending id; only the first {@code k} when k > 0. Sorts
     * primitive keys (order-preserving float bits in the high half, the id in the low half).
     */
    static int[] sortedDescending(float[] x, int vocab, int k) {
        long[] keys = new long[vocab];
        for (int i = 0; i < vocab; i++) {
            int bits = Float.floatToIntBits(x[i]);
            int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF); // ascending int order = ascending float order
            keys[i] = ((long) ~ordered << 32) | i;            // ~ reverses the order: descending logits first
        }
        java.util.Arrays.sort(keys);
        int n = k > 0 ? Math.min(k, vocab) : vocab;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }
}
