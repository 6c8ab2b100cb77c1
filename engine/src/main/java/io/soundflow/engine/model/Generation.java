package io.soundflow.engine.model;

import io.soundflow.engine.KvDtype;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Offline generation with a thinker: prefill a prompt (with its audio), then sample token by token
 * until a stop token ({@code <|im_end|>}, {@code <|endoftext|>}) or the token budget. The stop token is
 * not reported.
 */
public final class Generation {
    /** What a generation produced, with its timings in nanoseconds. */
    public record Result(int[] ids, boolean stopped, long prefillNanos, long decodeNanos) {
        /** Decode speed in tokens per second (tokens after the first). */
        public double decodeTokensPerSecond() {
            int n = Math.max(0, ids.length - (stopped ? 0 : 1));
            return decodeNanos == 0 ? 0 : n / (decodeNanos / 1e9);
        }
    }

    private Generation() {
    }

    /**
     * Generates up to {@code maxNewTokens} tokens after {@code prompt}; each generated id goes to
     * {@code onToken} as soon as it is chosen.
     */
    public static Result generate(OmniThinker model, int[] prompt, float[] audio, SamplingSettings sampling,
                                  int maxNewTokens, IntConsumer onToken) {
        return generate(model, prompt, audio, sampling, maxNewTokens, KvDtype.F32, onToken);
    }

    /** {@link #generate(OmniThinker, int[], float[], SamplingSettings, int, IntConsumer)} with a KV cache of {@code kvDtype}. */
    public static Result generate(OmniThinker model, int[] prompt, float[] audio, SamplingSettings sampling,
                                  int maxNewTokens, KvDtype kvDtype, IntConsumer onToken) {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        int v = model.text().config().vocab();
        KvCache cache = model.newCache(prompt.length, maxNewTokens, kvDtype);
        Sampler sampler = new Sampler(sampling);
        int[] history = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        int hist = prompt.length;
        long t0 = System.nanoTime();
        float[] row = model.prefill(cache, prompt, audio, new int[] {prompt.length - 1}, Probe.NONE);
        long t1 = System.nanoTime();
        int[] out = new int[maxNewTokens];
        int n = 0;
        boolean stopped = false;
        while (true) {
            int id = sampler.next(row, 0, v, history, hist); // no copy of the history per token
            if (model.tokens().isStop(id)) {
                stopped = true;
                break;
            }
            out[n++] = id;
            history[hist++] = id;
            onToken.accept(id);
            if (n == maxNewTokens) {
                break;
            }
            row = model.step(cache, id);
        }
        long t2 = System.nanoTime();
        return new Result(Arrays.copyOf(out, n), stopped, t1 - t0, t2 - t1);
    }
}
