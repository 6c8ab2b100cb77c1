package io.soundflow.engine.audio;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Decoded audio: mono float samples (nominally in [-1, 1]) at {@code sampleRate}.
 *
 * @param samples    mono samples; multi-channel input has been mixed down (channel mean)
 * @param sampleRate samples per second
 * @param channels   always 1 (after mixdown)
 * @param source     where it came from, for messages (may be null for generated audio)
 */
public record Audio(float[] samples, int sampleRate, int channels, Path source) {

    public Audio {
        Objects.requireNonNull(samples, "samples");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
        }
        if (channels != 1) {
            throw new IllegalArgumentException("Audio holds mono samples, got " + channels + " channels");
        }
    }

    /** Duration in seconds. */
    public double seconds() {
        return samples.length / (double) sampleRate;
    }

    /** This audio at {@code rate} (itself when already at that rate), resampled with {@link Resampler}. */
    public Audio toRate(int rate) {
        if (rate == sampleRate) {
            return this;
        }
        return new Audio(Resampler.resample(samples, sampleRate, rate), rate, 1, source);
    }
}
