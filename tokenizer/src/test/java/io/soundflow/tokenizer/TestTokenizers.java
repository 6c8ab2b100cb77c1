package io.soundflow.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soundflow.testing.SharedData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Tokenizers shared by the test classes (loaded once per test JVM). */
final class TestTokenizers {
    private static Tokenizer omni;
    private static JsonNode small;

    private TestTokenizers() {
    }

    /** Ours on the Qwen2.5-Omni fixture. */
    static synchronized Tokenizer omni() {
        if (omni == null) {
            omni = Tokenizer.load(SharedData.require(HfOracle.OMNI));
        }
        return omni;
    }

    /**
     * The Qwen2.5-Omni fixture's JSON with its vocabulary cut to the 256 byte symbols plus "Ġt", "he",
     * "Ġthe" (ids 256..258) and their three merges: the real pipeline and added tokens, fast to rewrite
     * and load. A fresh copy each call.
     */
    /** {@link #smallJson()} edited by {@code edit}, written to a new file in {@code dir}. */
    static synchronized Path rewrite(Path dir, java.util.function.Consumer<JsonNode> edit) throws IOException {
        JsonNode root = smallJson();
        edit.accept(root);
        Path p = dir.resolve("edited-" + (rewritten++) + ".json");
        new ObjectMapper().writeValue(p.toFile(), root);
        return p;
    }

    private static int rewritten;

    static synchronized JsonNode smallJson() {
        if (small == null) {
            ObjectMapper json = new ObjectMapper();
            JsonNode root;
            try {
                root = json.readTree(SharedData.require(HfOracle.OMNI).toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ObjectNode vocab = json.createObjectNode();
            for (int b = 0; b < 256; b++) {
                vocab.put(String.valueOf(ByteLevel.charOf(b)), b);
            }
            vocab.put("Ġt", 256);
            vocab.put("he", 257);
            vocab.put("Ġthe", 258);
            ArrayNode merges = json.createArrayNode();
            merges.addArray().add("Ġ").add("t");
            merges.addArray().add("h").add("e");
            merges.addArray().add("Ġt").add("he");
            ((ObjectNode) root.path("model")).set("vocab", vocab);
            ((ObjectNode) root.path("model")).set("merges", merges);
            small = root;
        }
        return small.deepCopy();
    }
}
