package io.soundflow.engine.model;

/**
 * How the next token is chosen. Temperature 0 is greedy (argmax, ties to the lowest id).
 *
 * @param temperature       0 for greedy, else logits are divided by it before the softmax
 * @param topK              keep the k most likely tokens (0 = all)
 * @param topP              nucleus: keep the smallest set whose probability reaches p (1 = all)
 * @param repetitionPenalty HF/CTRL style penalty for tokens already seen (1 = none)
 * @param seed              random seed for sampling
 */
public record SamplingSettings(float temperature, int topK, float topP, float repetitionPenalty, long seed) {

    /** Greedy decoding, no penalty. */
    public static final SamplingSettings GREEDY = new SamplingSettings(0f, 0, 1f, 1f, 0L);

    public SamplingSettings {
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0f) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition penalty must be a finite number > 0, got " + repetitionPenalty);
        }
    }

    public boolean greedy() {
        return temperature == 0f;
    }
}
