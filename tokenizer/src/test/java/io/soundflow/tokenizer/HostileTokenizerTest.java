package io.soundflow.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Hostile tokenizer files: huge or shared token ids (the id-indexed tables would be sized by them) and
 * deep nesting each give one line naming the file and the token, quickly and without a large allocation.
 */
class HostileTokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(longs = {16_777_216L, 200_000_000L, 2_000_000_000L, Integer.MAX_VALUE, 4_294_967_396L})
    void aHugeVocabIdIsRefusedNamingTheToken(long id, @TempDir Path dir) throws IOException {
        Path p = rewrite(dir, r -> ((ObjectNode) r.path("model").path("vocab")).put("zzzz", id));
        assertThatThrownBy(() -> load(p)).isInstanceOf(TokenizerException.class)
                .hasMessage(p + ": token \"zzzz\" has id " + id + ", above the limit of 16777216 (line 1)");
    }

    @ParameterizedTest
    @ValueSource(longs = {16_777_216L, 2_000_000_000L, Integer.MAX_VALUE, 4_294_967_396L})
    void aHugeAddedTokenIdIsRefusedNamingTheToken(long id, @TempDir Path dir) throws IOException {
        Path p = rewrite(dir, r -> ((ArrayNode) r.path("added_tokens")).addObject().put("id", id).put("content", "<|big|>"));
        assertThatThrownBy(() -> load(p)).isInstanceOf(TokenizerException.class)
                .hasMessage(p + ": added token \"<|big|>\" has id " + id + ", above the limit of 16777216");
    }

    @Test
    void negativeAndTruncatingAddedTokenIdsAreRefused(@TempDir Path dir) throws IOException {
        for (long id : new long[] {-1, -4_294_967_296L}) {
            Path p = rewrite(dir, r -> ((ArrayNode) r.path("added_tokens")).addObject().put("id", id).put("content", "<|neg|>"));
            assertThatThrownBy(() -> load(p)).isInstanceOf(TokenizerException.class)
                    .hasMessageStartingWith(p + ": added token ").hasMessageContaining("lacks a content or a valid id");
        }
        Path f = rewrite(dir, r -> ((ArrayNode) r.path("added_tokens")).addObject().put("id", 5.5).put("content", "<|f|>"));
        assertThatThrownBy(() -> load(f)).isInstanceOf(TokenizerException.class).hasMessageContaining("valid id");
    }

    @Test
    void twoTokensSharingAnIdAreRefusedNamingBoth(@TempDir Path dir) throws IOException {
        Path v = rewrite(dir, r -> ((ObjectNode) r.path("model").path("vocab")).put("zzzz", 5));
        assertThatThrownBy(() -> load(v)).isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(v + ": tokens ").hasMessageContaining("\"zzzz\"")
                .hasMessageEndingWith("both have id 5");
        Path a = rewrite(dir, r -> ((ArrayNode) r.path("added_tokens")).addObject().put("id", 151_645).put("content", "<|dup|>"));
        assertThatThrownBy(() -> load(a)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("\"<|im_end|>\"").hasMessageContaining("\"<|dup|>\"").hasMessageContaining("151645");
    }

    @Test
    void theSameTokenInTheVocabularyAndAsAnAddedTokenIsFine(@TempDir Path dir) throws IOException {
        Path p = rewrite(dir, r -> ((ArrayNode) r.path("added_tokens")).addObject().put("id", 258).put("content", "Ġthe"));
        assertThat(load(p).tokenId("Ġthe")).hasValue(258);
    }

    @Test
    void idsBeyondTheModelsVocabularyAreNamed(@TempDir Path dir) throws IOException {
        Tokenizer t = load(rewrite(dir, r -> { }));
        t.requireIdsBelow(151_665, "the model");
        assertThatThrownBy(() -> t.requireIdsBelow(151_000, "/m/model_config.yaml"))
                .isInstanceOf(TokenizerException.class)
                .hasMessage(t.source() + ": token \"<|file_sep|>\" has id 151664, but /m/model_config.yaml has a"
                        + " vocabulary of 151000 (tokenizer and model do not match)");
    }

    @Test
    void deepNestingNamesTheFileAndTheLimit(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("tokenizer.json");
        Files.writeString(p, "{\"x\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}");
        assertThatThrownBy(() -> load(p)).isInstanceOf(TokenizerException.class)
                .hasMessage(p + ": JSON nested deeper than 1000 levels");
        Path q = dir.resolve("deep-added.json");
        JsonNode root = TestTokenizers.smallJson();
        String text = JSON.writeValueAsString(root);
        assertThat(text).contains("\"added_tokens\":[");
        Files.writeString(q, text.replace("\"added_tokens\":[", "\"added_tokens\":[" + "[".repeat(1500) + "]".repeat(1500) + ","));
        assertThatThrownBy(() -> load(q)).isInstanceOf(TokenizerException.class)
                .hasMessage(q + ": JSON nested deeper than 1000 levels");
    }

    @Test
    void parseErrorsKeepTheLineButNotJacksonsInternals(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("bad.json");
        Files.writeString(p, "{\n  \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,, }}}");
        assertThatThrownBy(() -> load(p)).isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(p + ": malformed JSON: ").hasMessageContaining("(line 2, column ")
                .hasMessageNotContaining("Source").hasMessageNotContaining("REDACTED").hasMessageNotContaining("\n");
    }

    private static Tokenizer load(Path p) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Tokenizer.load(p));
    }

    private static Path rewrite(Path dir, Consumer<JsonNode> edit) throws IOException {
        return TestTokenizers.rewrite(dir, edit);
    }

    @Test
    void aLocationInsideJacksonsMessageIsKeptWithoutItsInternals(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("cut.json");
        Files.writeString(p, "{\"model\": {\"type\": \"BPE\"");
        assertThatThrownBy(() -> Tokenizer.load(p)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("cut.json: malformed JSON: Unexpected end-of-input")
                .hasMessageContaining("start marker at line 1, column ")
                .hasMessageNotContaining("REDACTED").hasMessageNotContaining("StreamReadFeature");
    }
}
