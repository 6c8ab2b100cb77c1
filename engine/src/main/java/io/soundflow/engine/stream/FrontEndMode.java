package io.soundflow.engine.stream;

import java.util.Locale;

/** How each chunk's log-mel is computed (see {@code io.soundflow.engine.audio.AudioInteractionMel}). */
public enum FrontEndMode {
    /** One mel over the whole zero-padded input, as the released CLI: waits for the end of input (files). */
    REF_EXACT,
    /** Continuous STFT frames with the 40-sample look-ahead, clamp over a rolling window (live default). */
    WINDOWED,
    /** A separate mel per 6400-sample chunk (no look-ahead). */
    CHUNK_LOCAL;

    /** The CLI spelling: {@code ref-exact}, {@code windowed}, {@code chunk-local}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses the CLI spelling. */
    public static FrontEndMode parse(String s) {
        for (FrontEndMode m : values()) {
            if (m.cliName().equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown front-end mode '" + s + "' (expected ref-exact, windowed or chunk-local)");
    }
}
