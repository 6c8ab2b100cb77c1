package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;

/** Small helpers to read required numbers from config files with messages naming the file and key. */
final class ConfigValues {
    private ConfigValues() {
    }

    static int requireInt(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(where + ": missing key '" + key + "'");
        }
        if (!v.canConvertToInt() || (!v.isIntegralNumber() && !(v.isTextual() && v.asText().matches("-?\\d+")))) {
            throw new IllegalArgumentException(where + ": key '" + key + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    static double requireDouble(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull() || !v.isNumber()) {
            throw new IllegalArgumentException(where + ": missing or non-numeric key '" + key + "'");
        }
        return v.asDouble();
    }

    static void positive(String where, String key, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(where + ": " + key + " must be positive, got " + v);
        }
    }

    /** {@code message} prefixed with {@code file} unless it already names it. */
    static String named(Object file, String message) {
        String f = String.valueOf(file);
        return message != null && message.startsWith(f) ? message : f + ": " + message;
    }
}
