package io.soundflow.tools;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The engine's messages name its API (SessionOptions.withLenient(true), KvDtype.F16, maxNewTokens, ...); the
 * CLI prints them with the flags a command-line user types instead. One table, applied wherever the CLI
 * prints an engine message (errors, a session's end reason).
 */
public final class CliNames {
    private static final Map<String, String> FLAGS = new LinkedHashMap<>();

    static {
        FLAGS.put("SessionOptions.withLenient(true)", "--lenient");
        FLAGS.put("SessionOptions.maxPositions", "--max-positions");
        FLAGS.put("maxNewTokens", "--max-new-tokens");
        FLAGS.put("KvDtype.F16", "--kv-dtype f16");
        FLAGS.put("KvDtype.F32", "--kv-dtype f32");
        FLAGS.put("FrontEndMode.WINDOWED", "--mode windowed");
        FLAGS.put("LoadOptions.quantize", "--quantize");
    }

    private CliNames() {
    }

    /** {@code message} with every API name the table knows replaced by its flag. */
    public static String forCli(String message) {
        if (message == null) {
            return null;
        }
        String m = message;
        for (var e : FLAGS.entrySet()) {
            m = m.replace(e.getKey(), e.getValue());
        }
        return m;
    }
}
