package io.soundflow.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soundflow.engine.KvDtype;
import io.soundflow.engine.model.SamplingSettings;
import io.soundflow.engine.stream.ContextPolicy;
import io.soundflow.engine.stream.DrainLayout;
import io.soundflow.engine.stream.FrontEndMode;
import io.soundflow.engine.stream.SessionOptions;
import java.util.Iterator;
import java.util.Set;

/**
 * {@code session.soundflow}: the engine's {@link SessionOptions} under the names the {@code stream} command
 * uses ({@code mode}, {@code layout}, {@code context}, {@code window_blocks}, {@code max_positions},
 * {@code max_reply}, {@code temperature}, {@code top_k}, {@code seed}, {@code decision_bias},
 * {@code kv_dtype}, {@code lenient}, {@code exact_positions}). Parsing is all or nothing: a wrong name,
 * type or value throws {@link ProtocolException} naming the field, and nothing is applied.
 */
final class SoundflowOptions {
    static final Set<String> NAMES = Set.of("mode", "layout", "context", "window_blocks", "max_positions", "max_reply",
            "temperature", "top_k", "seed", "decision_bias", "kv_dtype", "lenient", "exact_positions");

    private SoundflowOptions() {
    }

    /** The server's default: the live front end ({@code windowed}), the CLI's other defaults. */
    static SessionOptions defaults() {
        return SessionOptions.defaults();
    }

    /** {@code base} with the fields of {@code node} applied. */
    static SessionOptions apply(SessionOptions base, JsonNode node) {
        if (!node.isObject()) {
            throw new ProtocolException("invalid_type", "session.soundflow", "session.soundflow must be an object, got " + kind(node));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!NAMES.contains(f)) {
                throw new ProtocolException("unknown_parameter", "session.soundflow." + f, "session.soundflow." + f
                        + " is not an option (expected one of " + String.join(", ", NAMES.stream().sorted().toList()) + ")");
            }
        }
        SessionOptions o = base;
        try {
            if (node.has("mode")) {
                o = o.withMode(FrontEndMode.parse(text(node, "mode")));
            }
            if (node.has("layout")) {
                o = o.withLayout(DrainLayout.parse(text(node, "layout")));
            }
            if (node.has("context") || node.has("window_blocks") || node.has("max_positions")) {
                ContextPolicy p = node.has("context") ? ContextPolicy.parse(text(node, "context")) : o.contextPolicy();
                int blocks = node.has("window_blocks") ? integer(node, "window_blocks") : o.windowBlocks();
                int maxPos = node.has("max_positions") ? integer(node, "max_positions") : o.maxPositions();
                o = o.withContext(p, maxPos, blocks);
            }
            if (node.has("max_reply")) {
                o = o.withMaxReplyTokens(integer(node, "max_reply"));
            }
            if (node.has("temperature") || node.has("top_k") || node.has("seed")) {
                SamplingSettings s = o.sampling();
                float t = node.has("temperature") ? (float) number(node, "temperature") : s.temperature();
                int k = node.has("top_k") ? integer(node, "top_k") : s.topK();
                long seed = node.has("seed") ? longInteger(node, "seed") : (s.greedy() ? 1337 : s.seed());
                if (!Float.isFinite(t) || t < 0) {
                    throw new ProtocolException("invalid_value", "session.soundflow.temperature",
                            "session.soundflow.temperature must be a finite number >= 0 (0 = greedy), got " + t);
                }
                if (k < 0 || (k > 0 && t == 0)) {
                    throw new ProtocolException("invalid_value", "session.soundflow.top_k",
                            "session.soundflow.top_k must be >= 0 and needs temperature > 0, got " + k);
                }
                o = o.withSampling(t > 0 ? new SamplingSettings(t, k, 1f, 1f, seed) : SamplingSettings.GREEDY);
            }
            if (node.has("decision_bias")) {
                o = o.withDecisionBias((float) number(node, "decision_bias"));
            }
            if (node.has("kv_dtype")) {
                o = o.withKvDtype(KvDtype.parse(text(node, "kv_dtype")));
            }
            if (node.has("lenient")) {
                o = o.withLenient(bool(node, "lenient"));
            }
            if (node.has("exact_positions")) {
                o = o.withExactPositions(bool(node, "exact_positions"));
            }
        } catch (IllegalArgumentException e) { // an engine check (range, unknown name): say which field
            if (e instanceof ProtocolException) {
                throw e;
            }
            throw new ProtocolException("invalid_value", "session.soundflow", "session.soundflow: " + e.getMessage());
        }
        if (o.mode() == FrontEndMode.REF_EXACT) {
            throw new ProtocolException("invalid_value", "session.soundflow.mode",
                    "session.soundflow.mode ref-exact needs the whole input before the first decision; a live session takes windowed or chunk-local");
        }
        return o;
    }

    /** The options as {@code session.soundflow} JSON. */
    static ObjectNode toJson(SessionOptions o) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("mode", o.mode().cliName());
        n.put("layout", o.layout().cliName());
        n.put("context", o.contextPolicy().cliName());
        n.put("window_blocks", o.windowBlocks());
        n.put("max_positions", o.maxPositions());
        n.put("max_reply", o.maxReplyTokens());
        n.put("temperature", o.sampling().temperature());
        n.put("top_k", o.sampling().topK());
        n.put("seed", o.sampling().seed());
        n.put("decision_bias", o.decisionBias());
        n.put("kv_dtype", o.kvDtype().cliName());
        n.put("lenient", o.lenient());
        n.put("exact_positions", o.exactPositions());
        return n;
    }

    private static String text(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (!v.isTextual()) {
            throw wrongType(f, "a string", v);
        }
        return v.asText();
    }

    private static int integer(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrongType(f, "an integer", v);
        }
        return v.asInt();
    }

    private static long longInteger(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(f, "an integer", v);
        }
        return v.asLong();
    }

    private static double number(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (!v.isNumber()) {
            throw wrongType(f, "a number", v);
        }
        return v.asDouble();
    }

    private static boolean bool(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (!v.isBoolean()) {
            throw wrongType(f, "a boolean", v);
        }
        return v.asBoolean();
    }

    private static ProtocolException wrongType(String f, String expected, JsonNode v) {
        return new ProtocolException("invalid_type", "session.soundflow." + f,
                "session.soundflow." + f + " must be " + expected + ", got " + kind(v));
    }

    /** A JSON value's kind for messages: "a string (\"x\")", "a number (3)", "null", ... */
    static String kind(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        String shown = v.toString();
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "...";
        }
        return switch (v.getNodeType()) {
            case STRING -> "a string (" + shown + ")";
            case NUMBER -> "a number (" + shown + ")";
            case BOOLEAN -> "a boolean (" + shown + ")";
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> shown;
        };
    }
}
