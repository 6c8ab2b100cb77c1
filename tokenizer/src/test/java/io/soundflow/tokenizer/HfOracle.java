package io.soundflow.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.soundflow.testing.SharedData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference: Hugging Face tokenizers (the Rust library, through DJL's JNI binding) loading the same
 * tokenizer.json, beside our tokenizer. Both are loaded once per fixture and shared by the tests.
 */
final class HfOracle {
    /** The two fixture files under shared/fixtures/tokenizers. */
    static final String OMNI = "fixtures/tokenizers/qwen2.5-omni-tokenizer.json";
    static final String QWEN3 = "fixtures/tokenizers/qwen3-tokenizer.json";

    private static final Map<String, HfOracle> CACHE = new ConcurrentHashMap<>();

    final Path file;
    final Tokenizer ours;
    final HuggingFaceTokenizer hf;

    private HfOracle(String fixture, Path file) {
        this.file = file;
        this.ours = fixture.equals(OMNI) ? TestTokenizers.omni() : Tokenizer.load(file);
        try {
            // as Python's tokenizer.encode(text).ids: no truncation, no padding, default special-token handling
            this.hf = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "true",
                    "truncation", "false", "padding", "false", "maxLength", "-1"));
        } catch (IOException e) {
            throw new AssertionError("Hugging Face tokenizers cannot load " + file, e);
        }
    }

    /** The oracle for a fixture (skips locally, fails in CI, when shared/ is missing). */
    static HfOracle of(String fixture) {
        Path p = SharedData.require(fixture);
        return CACHE.computeIfAbsent(fixture, f -> new HfOracle(f, p));
    }

    int[] hfEncode(String text) {
        return Arrays.stream(hf.encode(text).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    String hfDecode(int[] ids, boolean skipSpecial) {
        return hf.decode(Arrays.stream(ids).mapToLong(i -> i).toArray(), skipSpecial);
    }

    /** The tokens HF produced (byte-level strings), for failure messages. */
    String hfTokens(String text) {
        return Arrays.toString(hf.encode(text).getTokens());
    }

    String name() {
        return file.getFileName().toString();
    }
}
