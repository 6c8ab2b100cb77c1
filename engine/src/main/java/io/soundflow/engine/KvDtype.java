package io.soundflow.engine;

import java.util.Locale;

/**
 * How a KV cache stores its keys and values: float32 (the default, bit-identical to the reference) or
 * float16 (half the memory; values rounded to nearest even when appended, widened exactly when read).
 */
public enum KvDtype {
    F32(4),
    F16(2);

    private final int bytes;

    KvDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes one key or value takes. */
    public int bytes() {
        return bytes;
    }

    /** The name the CLI uses: {@code f32} or {@code f16}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code f32} or {@code f16} (any case). */
    public static KvDtype parse(String s) {
        for (KvDtype d : values()) {
            if (d.cliName().equalsIgnoreCase(s == null ? "" : s.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("KV dtype '" + s + "' is not f32 or f16");
    }
}
