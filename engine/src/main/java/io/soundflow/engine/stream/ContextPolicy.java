package io.soundflow.engine.stream;

import java.util.Locale;

/** What a session does when its KV cache is full (DESIGN section 8). */
public enum ContextPolicy {
    /** Keep the prefix, drop the history (what the released web demo does). */
    RESET,
    /** Keep the prefix and the most recent N chunk blocks, re-prefilled at fresh positions. */
    WINDOW;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ContextPolicy parse(String s) {
        for (ContextPolicy m : values()) {
            if (m.cliName().equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown context policy '" + s + "' (expected reset or window)");
    }
}
