package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads config values with range checks at load, each message naming the file and the key: an integer
 * is an integer in its range (no silent truncation of 4294967396, no default for a non-number), a
 * real is finite and in its range.
 */
final class ConfigValues {
    /** Ceiling of every width, vocabulary and position count: 2^24 (the real 3B values are below 2^18). */
    static final int MAX_SIZE = 1 << 24;
    /** Ceiling of layer counts (the real 3B model has 36, its audio tower 32). */
    static final int MAX_LAYERS = 1 << 12;

    private ConfigValues() {
    }

    /** A required integer in {@code [min, max]}. */
    static int requireInt(JsonNode n, String key, String where, int min, int max) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(where + ": missing key '" + key + "'");
        }
        return checkedInt(v, key, where, min, max);
    }

    /** A required size in {@code [1, MAX_SIZE]}. */
    static int requireSize(JsonNode n, String key, String where) {
        return requireInt(n, key, where, 1, MAX_SIZE);
    }

    /** An integer in {@code [min, max]}, or {@code fallback} when the key is absent or null. */
    static int optionalInt(JsonNode n, String key, String where, int fallback, int min, int max) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? fallback : checkedInt(v, key, where, min, max);
    }

    /** {@code v} as an int in {@code [min, max]}: an integral number, or a string of digits (as YAML may give). */
    static int checkedInt(JsonNode v, String key, String where, int min, int max) {
        java.math.BigInteger b;
        if (v.isIntegralNumber()) {
            b = v.bigIntegerValue();
        } else if (v.isTextual() && v.asText().matches("-?\\d{1,100}")) {
            b = new java.math.BigInteger(v.asText());
        } else {
            throw new IllegalArgumentException(where + ": key '" + key + "' must be an integer, got " + v);
        }
        if (b.compareTo(java.math.BigInteger.valueOf(min)) < 0 || b.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(where + ": " + key + " " + b + " is out of range (" + min + ".." + max + ")");
        }
        return b.intValue();
    }

    /** A finite number above 0 (an epsilon, a RoPE base), or {@code fallback} when the key is absent or null. */
    static double optionalPositive(JsonNode n, String key, String where, double fallback) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        double d = number(v, key, where);
        if (!(d > 0) || Double.isInfinite(d)) {
            throw new IllegalArgumentException(where + ": " + key + " " + v + " must be a finite number above 0");
        }
        return d;
    }

    /** {@code v} as a double: a number, or a string YAML left unparsed ("1e-6", ".nan"). */
    private static double number(JsonNode v, String key, String where) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().replace(".nan", "NaN").replace(".inf", "Infinity"));
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException(where + ": key '" + key + "' must be a number, got " + v);
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

    /**
     * A config record's own check ({@code "text config: ..."}) re-thrown naming the file instead, for
     * the checks that span several keys.
     */
    static IllegalArgumentException renamed(IllegalArgumentException e, String prefix, String where) {
        String m = String.valueOf(e.getMessage());
        if (m.startsWith(where)) {
            return e;
        }
        return new IllegalArgumentException(where + ": " + (m.startsWith(prefix + ": ") ? m.substring(prefix.length() + 2) : m), e);
    }
}
