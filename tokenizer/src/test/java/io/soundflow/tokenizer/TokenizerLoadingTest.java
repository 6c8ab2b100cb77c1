package io.soundflow.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soundflow.testing.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Loading: both on-disk forms give the same tokenizer; token lookups; and every bad input (missing,
 * malformed, truncated, unsupported model or pre-tokenizer, broken merges) fails with one clear error
 * naming the file.
 */
class TokenizerLoadingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path omniFile;
    private static Tokenizer omni;

    @BeforeAll
    static void load() {
        omniFile = SharedData.require(HfOracle.OMNI);
        omni = TestTokenizers.omni();
    }

    @Test
    void knowsTheQwenSpecialTokensAndSizes() {
        assertThat(omni.vocabSize()).isEqualTo(151_665);
        assertThat(omni.tokenId("<|endoftext|>")).hasValue(151_643);
        assertThat(omni.tokenId("<|im_start|>")).hasValue(151_644);
        assertThat(omni.tokenId("<|im_end|>")).hasValue(151_645);
        assertThat(omni.tokenId("<|AUDIO|>")).hasValue(151_646);
        assertThat(omni.tokenId("<|audio_bos|>")).hasValue(151_647);
        assertThat(omni.tokenId("<|audio_eos|>")).hasValue(151_648);
        assertThat(omni.tokenId("<|file_sep|>")).hasValue(151_664);
        assertThat(omni.tokenId("<|no_such|>")).isEmpty();
        // the ordinary template pieces named in the research notes
        assertThat(omni.encode("system")).containsExactly(8948);
        assertThat(omni.encode("user")).containsExactly(872);
        assertThat(omni.encode("assistant")).containsExactly(77091);
        assertThat(omni.encode("\n")).containsExactly(198);
        assertThat(omni.tokenId("Ċ")).hasValue(198);
        assertThat(omni.isSpecial(151_644)).isTrue();
        assertThat(omni.isSpecial(151_657)).as("<tool_call> is added but not special").isFalse();
        assertThatThrownBy(() -> omni.requireTokenId("<|nope|>")).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("<|nope|>").hasMessageContaining(omniFile.getFileName().toString());
    }

    @Test
    void decodeSkipsSpecialTokensOnlyWhenAsked() {
        int[] ids = omni.encode("<|im_start|>user\nhi<tool_call><|im_end|>");
        assertThat(omni.decode(ids, false)).isEqualTo("<|im_start|>user\nhi<tool_call><|im_end|>");
        assertThat(omni.decode(ids, true)).isEqualTo("user\nhi<tool_call>");
    }

    @Test
    void unknownIdsAreAClearError() {
        assertThatThrownBy(() -> omni.decode(new int[] {1, 151_665}, false)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("151665").hasMessageContaining("0..151664");
        assertThatThrownBy(() -> omni.decode(new int[] {-1}, true)).isInstanceOf(TokenizerException.class);
    }

    @Test
    void loadsADirectoryHoldingTokenizerJson(@TempDir Path dir) throws IOException {
        Files.copy(omniFile, dir.resolve("tokenizer.json"));
        Tokenizer t = Tokenizer.load(dir);
        assertThat(t.encode("Hello, world! <|im_end|>")).containsExactly(omni.encode("Hello, world! <|im_end|>"));
    }

    /** The older form, written here from the fixture, gives the same ids as the tokenizer.json. */
    @Test
    void vocabJsonMergesTxtAndTokenizerConfigGiveTheSameIds(@TempDir Path dir) throws IOException {
        JsonNode root = JSON.readTree(omniFile.toFile());
        JSON.writeValue(dir.resolve("vocab.json").toFile(), root.path("model").path("vocab"));
        List<String> lines = new ArrayList<>();
        lines.add("#version: 0.2");
        for (JsonNode m : root.path("model").path("merges")) {
            lines.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        Files.write(dir.resolve("merges.txt"), lines, StandardCharsets.UTF_8);
        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "Qwen2Tokenizer");
        ObjectNode decoder = config.putObject("added_tokens_decoder");
        for (JsonNode t : root.path("added_tokens")) {
            ObjectNode e = decoder.putObject(t.path("id").asText());
            for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getKey().equals("id")) {
                    e.set(f.getKey(), f.getValue());
                }
            }
        }
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);

        Tokenizer legacy = Tokenizer.load(dir);
        assertThat(legacy.vocabSize()).isEqualTo(omni.vocabSize());
        for (String doc : DifferentialCorpusTest.corpus()) {
            assertThat(legacy.encode(doc)).as(doc).containsExactly(omni.encode(doc));
        }
        assertThat(legacy.isSpecial(151_645)).isTrue();
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> Tokenizer.load(missing)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("no such");
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("tokenizer.json");
    }

    @Test
    void malformedAndTruncatedJsonIsNamed(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,, }}}");
        assertThatThrownBy(() -> Tokenizer.load(bad)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("malformed JSON").hasMessageContaining("line 1");
        Path truncated = dir.resolve("truncated.json");
        byte[] all = Files.readAllBytes(omniFile);
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> Tokenizer.load(truncated)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining(truncated.toString()).hasMessageContaining("malformed JSON");
        Path notObject = dir.resolve("array.json");
        Files.writeString(notObject, "[1, 2]");
        assertThatThrownBy(() -> Tokenizer.load(notObject)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining(notObject.toString()).hasMessageContaining("top level");
        Path noModel = dir.resolve("nomodel.json");
        Files.writeString(noModel, "{\"version\": \"1.0\"}");
        assertThatThrownBy(() -> Tokenizer.load(noModel)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("no \"model\"");
    }

    @Test
    void unsupportedModelsAndPipelinesAreRefused(@TempDir Path dir) throws IOException {
        expectUnsupported(dir, r -> ((ObjectNode) r.path("model")).put("type", "WordPiece"), "model type \"WordPiece\"");
        expectUnsupported(dir, r -> ((ObjectNode) r.path("normalizer")).put("type", "NFKC"), "normalizer NFKC");
        expectUnsupported(dir, r -> ((ObjectNode) r).putObject("pre_tokenizer").put("type", "Whitespace"), "pre_tokenizer Whitespace");
        expectUnsupported(dir, r -> ((ObjectNode) r.path("pre_tokenizer").path("pretokenizers").get(0).path("pattern"))
                .put("Regex", "\\s+"), "Split pattern");
        expectUnsupported(dir, r -> ((ObjectNode) r.path("pre_tokenizer").path("pretokenizers").get(1))
                .put("add_prefix_space", true), "add_prefix_space=true");
        expectUnsupported(dir, r -> ((ObjectNode) r.path("decoder")).put("type", "WordPiece"), "decoder WordPiece");
        expectUnsupported(dir, r -> ((ObjectNode) r.path("added_tokens").get(0)).put("lstrip", true), "lstrip=true");
        expectUnsupported(dir, r -> ((ObjectNode) r.path("model")).put("byte_fallback", true), "byte_fallback");
    }

    @Test
    void brokenMergesAndVocabAreNamed(@TempDir Path dir) throws IOException {
        Path p = rewrite(dir, r -> ((ArrayNode) r.path("model").path("merges")).insertArray(0).add("zzzq").add("qqqz"));
        assertThatThrownBy(() -> Tokenizer.load(p)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining("merge #0").hasMessageContaining("zzzq");
        Path q = rewrite(dir, r -> ((ObjectNode) r.path("model").path("vocab")).put("!", "x"));
        assertThatThrownBy(() -> Tokenizer.load(q)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining(q.toString()).hasMessageContaining("vocab entry \"!\"");
        Path s = rewrite(dir, r -> ((ObjectNode) r.path("model").path("vocab")).remove("Ġ"));
        assertThatThrownBy(() -> Tokenizer.load(s)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining(s.toString());
    }

    private static void expectUnsupported(Path dir, Consumer<JsonNode> edit, String what) throws IOException {
        Path p = rewrite(dir, edit);
        assertThatThrownBy(() -> Tokenizer.load(p)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining("unsupported").hasMessageContaining(what);
    }

    @Test
    void aSmallVocabularyWorks(@TempDir Path dir) throws IOException {
        Tokenizer t = Tokenizer.load(rewrite(dir, r -> { }));
        assertThat(t.encode(" the<|im_end|>")).containsExactly(258, 151_645);
        assertThat(t.encode("the")).containsExactly((int) 't', 257);
    }

    private static Path rewrite(Path dir, Consumer<JsonNode> edit) throws IOException {
        return TestTokenizers.rewrite(dir, edit);
    }
}
