package io.soundflow.engine.stream;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's full record in the golden trace format ({@code ../shared/golden/ai-tiny/trace-*.json}):
 * the decision string ({@code s} silent, {@code R} respond, one letter per chunk), each chunk's
 * decision and reply (ids after the decision through TEXT_END), every token forwarded (audio slots as
 * PAD 151608), the prefix, the pending (decided, not yet forwarded) token and the next position.
 */
public record StreamTrace(String mode, String layout, int[] prefixIds, List<ChunkRecord> chunks, int[] fedTokens,
                          int pendingToken, int nextPosition, String stopReason) {

    /** One chunk: its decision token, whether it was forced, and its reply ids (empty when silent). */
    public record ChunkRecord(long chunk, int decision, boolean forced, int[] reply) {
    }

    /** One letter per chunk: {@code s} silent, {@code R} respond. */
    public String decisions() {
        StringBuilder sb = new StringBuilder(chunks.size());
        for (ChunkRecord c : chunks) {
            sb.append(c.decision() == Tokens.TEXT_BEGIN ? 'R' : 's');
        }
        return sb.toString();
    }

    /** The trace as the golden JSON object. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("oracle", "SoundFlow streaming runtime");
        m.put("settings", Map.of("mode", mode, "layout", layout));
        m.put("prefix_ids", prefixIds);
        m.put("decisions", decisions());
        List<Map<String, Object>> cs = new ArrayList<>();
        for (ChunkRecord c : chunks) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("chunk", c.chunk());
            cm.put("decision", c.decision());
            cm.put("decision_name", c.decision() == Tokens.TEXT_BEGIN ? "response" : "silent");
            cm.put("forced", c.forced());
            cm.put("reply", c.reply());
            if (c.reply().length > 0) {
                cm.put("emotion", Tokens.emotion(c.reply()[0]));
            }
            cs.add(cm);
        }
        m.put("chunks", cs);
        m.put("stop_reason", stopReason);
        m.put("fed_tokens", fedTokens);
        m.put("n_fed_tokens", fedTokens.length);
        m.put("pending_token", pendingToken);
        m.put("next_position", nextPosition);
        return m;
    }

    /** Writes {@link #toJson()} to a file. */
    public void write(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out);
        }
    }

    /** Writes {@link #toJson()} (indented) to a stream, and flushes it; the stream stays open. */
    public void write(OutputStream out) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .writeValue(out, toJson());
        out.flush();
    }
}
