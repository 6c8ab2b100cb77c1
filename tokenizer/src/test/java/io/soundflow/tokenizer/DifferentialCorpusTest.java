package io.soundflow.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our ids equal Hugging Face's on the assembled corpus (many scripts, code, emoji and ZWJ sequences,
 * long numbers, white-space runs, special tokens and near misses, NFD input, unassigned and private-use
 * code points), on the whole corpus as one text, and on the research notes in shared/.
 */
class DifferentialCorpusTest {

    static List<String> corpus() throws IOException {
        List<String> docs = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (var in = DifferentialCorpusTest.class.getResourceAsStream("corpus.jsonl");
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                docs.add(json.readValue(line, String.class));
            }
        }
        return docs;
    }

    @ParameterizedTest
    @ValueSource(strings = {HfOracle.OMNI, HfOracle.QWEN3})
    void everyCorpusDocumentGivesHuggingFacesIds(String fixture) throws IOException {
        HfOracle o = HfOracle.of(fixture);
        List<String> docs = corpus();
        assertThat(docs).hasSizeGreaterThan(50);
        for (String doc : docs) {
            assertSameIds(o, doc);
        }
        assertSameIds(o, String.join("\n", docs));
    }

    @ParameterizedTest
    @ValueSource(strings = {HfOracle.OMNI, HfOracle.QWEN3})
    void researchNotesGiveHuggingFacesIds(String fixture) throws IOException {
        HfOracle o = HfOracle.of(fixture);
        Path dir = SharedData.require("research");
        List<Path> notes;
        try (Stream<Path> s = Files.list(dir)) {
            notes = s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        assertThat(notes).isNotEmpty();
        for (Path p : notes) {
            assertSameIds(o, Files.readString(p));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {HfOracle.OMNI, HfOracle.QWEN3})
    void decodingGivesTheNfcTextAndHuggingFacesText(String fixture) throws IOException {
        HfOracle o = HfOracle.of(fixture);
        for (String doc : corpus()) {
            int[] ids = o.ours.encode(doc);
            String text = o.ours.decode(ids, false);
            assertThat(text).isEqualTo(o.hfDecode(ids, false));
            assertThat(o.ours.decode(ids, true)).isEqualTo(o.hfDecode(ids, true));
            if (!containsAddedToken(o.ours, doc)) {
                assertThat(text).isEqualTo(Normalizer.normalize(doc, Normalizer.Form.NFC));
            }
        }
    }

    static boolean containsAddedToken(Tokenizer t, String s) {
        return t.addedTokens().stream().anyMatch(a -> s.contains(a.content()));
    }

    static void assertSameIds(HfOracle o, String text) {
        int[] ours = o.ours.encode(text);
        int[] hf = o.hfEncode(text);
        if (!Arrays.equals(ours, hf)) {
            int k = 0;
            while (k < Math.min(ours.length, hf.length) && ours[k] == hf[k]) {
                k++;
            }
            String ctx = text.length() > 200 ? "(" + text.length() + " chars)" : escape(text);
            throw new AssertionError(o.name() + ": ids differ at index " + k + " for " + ctx
                    + "\n ours: " + Arrays.toString(Arrays.copyOfRange(ours, Math.max(0, k - 3), Math.min(ours.length, k + 6)))
                    + "\n   hf: " + Arrays.toString(Arrays.copyOfRange(hf, Math.max(0, k - 3), Math.min(hf.length, k + 6)))
                    + (text.length() <= 200 ? "\n hf tokens: " + o.hfTokens(text) : ""));
        }
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) {
                sb.append((char) cp);
            } else {
                sb.append(String.format("\\u{%X}", cp));
            }
        });
        return sb.append('"').toString();
    }
}
