package io.soundflow.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.testing.SharedData;
import io.soundflow.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.soundflow.tools.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code soundflow tokenize} through the real command line: the JSONL contract, --text, --decode, errors. */
class TokenizeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path file;
    private static Tokenizer tok;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        file = SharedData.require("fixtures/tokenizers/qwen2.5-omni-tokenizer.json");
        tok = Tokenizer.load(file);
    }


    private static final List<String> TEXTS = List.of("Hello, world!", "two\nlines\r\nand\ttabs", "",
            "<|im_start|>user\n你好 😀<|im_end|>\n", "  spaces  ", "\"quoted\" \\ backslash", "café e\u0301");

    @Test
    void jsonlGivesOneIdArrayPerLineInOrder() throws IOException {
        Path in = dir.resolve("in.jsonl");
        StringBuilder sb = new StringBuilder();
        for (String t : TEXTS) {
            sb.append(JSON.writeValueAsString(t)).append('\n');
        }
        Files.writeString(in, sb, StandardCharsets.UTF_8);
        CliRun r = CliRun.run("tokenize", "--tokenizer", file.toString(), "--jsonl", in.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(TEXTS.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(JSON.readValue(lines.get(i), int[].class)).as(TEXTS.get(i)).containsExactly(tok.encode(TEXTS.get(i)));
        }
        assertThat(lines.get(0)).isEqualTo("[9707,11,1879,0]");
    }

    @Test
    void textAndDecode() {
        CliRun r = CliRun.run("tokenize", "--tokenizer", file.toString(), "--text", "Hello, world!");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("[9707,11,1879,0]");
        CliRun d = CliRun.run("tokenize", "--tokenizer", file.toString(), "--decode", "9707, 11,1879,0,151645");
        assertThat(d.code()).isZero();
        assertThat(d.out()).isEqualTo("Hello, world!<|im_end|>" + System.lineSeparator());
        CliRun s = CliRun.run("tokenize", "--tokenizer", file.toString(), "--skip-special", "--decode", "9707,151645");
        assertThat(s.out().strip()).isEqualTo("Hello");
    }

    @Test
    void badInputIsOneClearError() throws IOException {
        Path in = dir.resolve("bad.jsonl");
        Files.writeString(in, "\"ok\"\n{\"text\": 1}\n");
        CliRun r = CliRun.run("tokenize", "--tokenizer", file.toString(), "--jsonl", in.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(in.toString()).contains("line 2").contains("expected one JSON string");
        assertThat(r.err().lines().count()).isEqualTo(1);

        Files.writeString(in, "\"unterminated\n");
        r = run("tokenize", "--tokenizer", file.toString(), "--jsonl", in.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("line 1").contains("malformed JSON");

        r = run("tokenize", "--tokenizer", dir.resolve("none.json").toString(), "--text", "x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("none.json").contains("no such");

        r = run("tokenize", "--tokenizer", file.toString(), "--decode", "1,x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("\"x\" is not a token id");

        r = run("tokenize", "--tokenizer", file.toString(), "--decode", "999999");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("999999");

        r = run("tokenize", "--tokenizer", file.toString(), "--text", "a", "--decode", "1");
        assertThat(r.code()).isNotZero();
    }
}
