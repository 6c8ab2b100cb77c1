package io.soundflow.engine.audio;

import java.util.Objects;

/**
 * A log-mel spectrogram, row-major {@code [N_MELS, frames]}: {@code data[bin * frames + frame]}.
 * Values are already scaled ((clamped log10 + 4) / 4), ready for the audio tower.
 *
 * @param data   [LogMel.N_MELS, frames] row-major
 * @param frames number of time frames (10 ms each)
 */
public record Mel(float[] data, int frames) {

    public Mel {
        Objects.requireNonNull(data, "data");
        if (frames < 0 || data.length != (long) LogMel.N_MELS * frames) {
            throw new IllegalArgumentException("mel data has " + data.length + " values, expected "
                    + LogMel.N_MELS + " x " + frames);
        }
    }

    /** Number of mel bins (always {@link LogMel#N_MELS}). */
    public int bins() {
        return LogMel.N_MELS;
    }

    /** The value of mel bin {@code bin} at frame {@code frame}. */
    public float at(int bin, int frame) {
        Objects.checkIndex(bin, LogMel.N_MELS);
        Objects.checkIndex(frame, frames);
        return data[bin * frames + frame];
    }

    /** A copy of frames {@code [from, to)}: [N_MELS, to - from]. */
    public Mel frames(int from, int to) {
        Objects.checkFromToIndex(from, to, frames);
        int n = to - from;
        float[] out = new float[LogMel.N_MELS * n]; // [128, n]
        for (int b = 0; b < LogMel.N_MELS; b++) {
            System.arraycopy(data, b * frames + from, out, b * n, n);
        }
        return new Mel(out, n);
    }
}
