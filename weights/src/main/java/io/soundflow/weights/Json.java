package io.soundflow.weights;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
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

    /** The first line of an exception's message (Jackson appends source locations on later lines). */
    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
