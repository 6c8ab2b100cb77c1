package io.soundflow.weights;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;

/** The strict Jackson mapper the readers share: duplicate keys are errors, nesting is bounded. */
final class Json {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64)
                .maxStringLength(100_000_000)
                .build());
    }

    private Json() {
    }

    /** Parses {@code bytes} as JSON; any problem becomes a CheckpointException naming {@code file} and {@code what}. */
    static JsonNode parse(byte[] bytes, Path file, String what) {
        try {
            JsonNode n = MAPPER.readTree(bytes);
            if (n == null || n.isMissingNode()) {
                throw CheckpointException.of(file, what + " is empty");
            }
            return n;
        } catch (IOException e) {
            throw CheckpointException.of(file, what + " is not valid JSON: " + oneLine(e), e);
        }
    }

    /**
     * One line for a parse error: Jackson's own message without its internals (the redacted source,
     * the constraint's accessor name), with the line and column where it knows them; a nesting limit
     * reads "nested deeper than N levels". Other exceptions: the first line of their message.
     */
    static String oneLine(Throwable e) {
        if (e instanceof StreamConstraintsException c && String.valueOf(c.getOriginalMessage()).contains("nesting depth")) {
            return "nested deeper than " + depthLimit(c.getOriginalMessage()) + " levels";
        }
        String m;
        if (e instanceof JsonProcessingException j && j.getOriginalMessage() != null) {
            m = j.getOriginalMessage();
            JsonLocation at = j.getLocation();
            if (at != null && at.getLineNr() > 0) {
                m += " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            }
        } else {
            m = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.replaceAll(",? from `[^`]*`", "")
                .replaceAll("\\[Source: [^]]*?; line: (\\d+), column: (\\d+)]", "line $1, column $2") // a nested location
                .replaceAll(" ?\\[Source: [^]]*]", "");
    }

    /** The limit in Jackson's "Document nesting depth (65) exceeds the maximum allowed (64, from ...)". */
    private static String depthLimit(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("maximum allowed \\((\\d+)").matcher(message);
        return m.find() ? m.group(1) : "the allowed number of";
    }
}
