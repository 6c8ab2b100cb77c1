package io.soundflow.engine.stream;

import java.util.Locale;

/** How the decoder lays out k &gt; 1 chunks queued at a decision point (DESIGN section 3). */
public enum DrainLayout {
    /** One forward over the k blocks, {@code <silent>} forced after the first k-1 ASSISTANTs. */
    TEACHER_FORCED,
    /** One forward per chunk: parity with the released loop. */
    ONE_BY_ONE,
    /** As teacher-forced, but respond at the first intermediate ASSISTANT that prefers it (KV truncated there). */
    EARLY_EXIT;

    /** The CLI spelling: {@code teacher-forced}, {@code one-by-one}, {@code early-exit}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses the CLI spelling. */
    public static DrainLayout parse(String s) {
        for (DrainLayout m : values()) {
            if (m.cliName().equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown layout '" + s + "' (expected teacher-forced, one-by-one or early-exit)");
    }
}
