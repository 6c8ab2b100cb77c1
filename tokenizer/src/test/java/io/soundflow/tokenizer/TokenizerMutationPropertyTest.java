package io.soundflow.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Random mutations of a valid {@code tokenizer.json} (a value replaced by a hostile one or deleted, or
 * raw bytes overwritten or cut): loading either succeeds and the tokenizer then encodes and decodes
 * without failing, or it fails with one {@link TokenizerException} naming the file; never another
 * exception type, an OOM or a hang (each case under a time limit).
 */
class TokenizerMutationPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static Path dir;
    private static String valid;
    private static int counter;

    /** A hostile value, or null for "delete the node". */
    private static final List<JsonNode> HOSTILE = Arrays.asList(NODES.numberNode(0), NODES.numberNode(-1),
            NODES.numberNode(Integer.MAX_VALUE), NODES.numberNode(4_294_967_396L), NODES.numberNode(2_000_000_000),
            NODES.numberNode(1e300), NODES.numberNode(0.5), NODES.textNode("x"), NODES.textNode(""), NODES.nullNode(),
            NODES.arrayNode(), NODES.objectNode(), NODES.booleanNode(true), null);

    /** Replace (or delete) the {@code node}-th value of the tree with {@code HOSTILE[value]}; or edit raw bytes. */
    record Mutation(boolean raw, int node, int value, List<int[]> edits, int truncateTo) {
    }

    @BeforeContainer
    static void write() throws IOException {
        dir = Files.createTempDirectory("soundflow-tok-fuzz");
        valid = JSON.writeValueAsString(TestTokenizers.smallJson());
    }

    @AfterContainer
    static void clean() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<int[]> edit = Combinators.combine(Arbitraries.integers().between(0, 1 << 16), Arbitraries.integers().between(0, 255))
                .as((p, v) -> new int[] {p, v});
        return Combinators.combine(Arbitraries.of(false, false, true), Arbitraries.integers().between(0, 1 << 16),
                Arbitraries.integers().between(0, HOSTILE.size() - 1), edit.list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 1 << 14))).as(Mutation::new);
    }

    @Property(tries = 250)
    void aMutatedTokenizerLoadsAndWorksOrIsRefusedNamingTheFile(@ForAll("mutations") Mutation m) throws IOException {
        Path f = dir.resolve("tok-" + (counter++) + ".json");
        Files.write(f, m.raw() ? rawEdit(m) : treeEdit(m));
        String outcome = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Tokenizer t;
            try {
                t = Tokenizer.load(f);
            } catch (TokenizerException e) {
                assertThat(e.getMessage()).as("names the file").contains(f.getFileName().toString());
                assertThat(e.getMessage()).as("one line").doesNotContain("\n").doesNotContain("REDACTED");
                return "refused";
            }
            int[] ids = t.encode("the theory, hello <|im_start|> 1234 \u00fcn\u00ef");
            t.decode(ids, false);
            return "loaded";
        });
        Statistics.collect(outcome); // (on the property's thread: jqwik's statistics are per thread)
        Files.deleteIfExists(f);
    }

    private static byte[] rawEdit(Mutation m) {
        byte[] b = valid.getBytes(StandardCharsets.UTF_8);
        for (int[] e : m.edits()) {
            b[e[0] % b.length] = (byte) e[1];
        }
        return m.truncateTo() >= 0 ? Arrays.copyOf(b, Math.min(b.length, m.truncateTo())) : b;
    }

    private static byte[] treeEdit(Mutation m) throws IOException {
        JsonNode root = JSON.readTree(valid);
        List<JsonNode[]> slots = new ArrayList<>(); // {parent, key-or-index holder}
        List<Object> keys = new ArrayList<>();
        collect(root, slots, keys);
        int i = m.node() % slots.size();
        JsonNode parent = slots.get(i)[0];
        JsonNode value = HOSTILE.get(m.value());
        Object key = keys.get(i);
        if (parent instanceof ObjectNode o) {
            if (value == null) {
                o.remove((String) key);
            } else {
                o.set((String) key, value);
            }
        } else if (parent instanceof ArrayNode a) {
            if (value == null) {
                a.remove((int) key);
            } else {
                a.set((int) key, value);
            }
        }
        return JSON.writeValueAsBytes(root);
    }

    /** Every value of the tree with its parent and key, vocabulary entries and merges included. */
    private static void collect(JsonNode node, List<JsonNode[]> slots, List<Object> keys) {
        if (node instanceof ObjectNode o) {
            for (var it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                slots.add(new JsonNode[] {o});
                keys.add(k);
                collect(o.get(k), slots, keys);
            }
        } else if (node instanceof ArrayNode a) {
            for (int j = 0; j < a.size(); j++) {
                slots.add(new JsonNode[] {a});
                keys.add(j);
                collect(a.get(j), slots, keys);
            }
        }
    }
}
