package io.soundflow.engine.model;

import io.soundflow.engine.stream.StreamingEngine;
import io.soundflow.kernels.Backends;
import io.soundflow.tokenizer.TokenizerException;
import io.soundflow.weights.CheckpointException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The probe's hostile configs (reliability probe M5, M6, M7, C3, M9 and the non-regular files), made
 * here from the golden tiny models: each is refused at load with one line naming the file and the key,
 * never a division by zero, a silent truncation or default, a run-time failure, a hang or an OOM.
 */
class HostileConfigTest {
    private static final LoadOptions OPTS = new LoadOptions(Backends.create("vector"), null);

    @TempDir
    Path tmp;
    private Path ai;
    private Path yaml;
    private Path audio;

    @BeforeEach
    void copy() throws IOException {
        ai = HostileModels.ai(tmp);
        yaml = ai.resolve(HostileModels.YAML);
        audio = ai.resolve(HostileModels.AUDIO_CONFIG);
    }

    /** Removes the links into the golden folders before JUnit's clean-up (which warns about each). */
    @AfterEach
    void removeLinks() throws IOException {
        HostileModels.delete(tmp.resolve("ai"));
        HostileModels.delete(tmp.resolve("omni"));
    }

    /** Loading {@code dir} fails with one line starting with {@code file} and containing {@code what}. */
    private static void refused(Path dir, Path file, String what) {
        assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> Thinkers.openInteraction(dir, OPTS).close()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file + ": ").hasMessageContaining(what).hasMessageNotContaining("\n");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "block_size       | 4294967396 | block_size 4294967396 is out of range (1..16777216)",
            "block_size       | 60000000   | block_size 60000000 is out of range (1..16777216)",
            "block_size       | lots       | key 'block_size' must be an integer, got \"lots\"",
            "block_size       | 1.0e12     | key 'block_size' must be an integer, got 1.0E12",
            "block_size       | -1         | block_size -1 is out of range (1..16777216)",
            "n_layer          | 2147483648 | n_layer 2147483648 is out of range (1..4096)",
            "n_embd           | 4294967360 | n_embd 4294967360 is out of range (1..16777216)",
            "n_query_groups   | 0          | n_query_groups 0 is out of range (1..16777216)",
            "rope_base        | 0          | rope_base 0 must be a finite number above 0",
            "rope_base        | -1         | rope_base -1 must be a finite number above 0",
            "rope_base        | .nan       | not valid YAML: Malformed numeric value '.nan' (line 31, column 16)",
            "rope_base        | .inf       | not valid YAML: Malformed numeric value '.inf' (line 31, column 16)",
            "rope_base        | NaN        | rope_base \"NaN\" must be a finite number above 0",
            "rope_base        | 1e400      | must be a finite number above 0",
            "rope_base        | lots       | key 'rope_base' must be a number, got \"lots\"",
            "norm_eps         | 0          | norm_eps 0 must be a finite number above 0",
            "norm_eps         | 1.0e-300   | norm_eps 1.0E-300 is not a positive float32",
            "rope_condense_ratio | 4294967297 | rope_condense_ratio 4294967297 is out of range",
            "n_head           | 3          | query heads are not a multiple of 2 key/value heads",
    })
    void outOfRangeLitgptValuesNameTheFileAndKey(String key, String value, String message) throws IOException {
        HostileModels.yaml(yaml, key, value);
        refused(ai, yaml, message);
    }

    @Test
    void zeroDivisorsAreRefusedBeforeAnyDivision() throws IOException {
        HostileModels.yaml(yaml, "n_head", "0");
        HostileModels.yaml(yaml, "head_size", null);
        refused(ai, yaml, "n_head 0 is out of range (1..16777216)");
        HostileModels.yaml(yaml, "n_head", "4");
        HostileModels.yaml(yaml, "head_size", "16");
        HostileModels.yaml(yaml, "padding_multiple", "0");
        HostileModels.yaml(yaml, "padded_vocab_size", null);
        refused(ai, yaml, "padding_multiple 0 is out of range (1..16777216)");
        HostileModels.yaml(yaml, "padding_multiple", "3");
        HostileModels.yaml(yaml, "vocab_size", "16777216");
        refused(ai, yaml, "vocab_size 16777216 padded to a multiple of padding_multiple 3 is 16777218, above 16777216");
        HostileModels.yaml(yaml, "padding_multiple", "128");
        HostileModels.yaml(yaml, "vocab_size", "151900");
        Thinkers.openInteraction(ai, OPTS).close(); // 151900 padded to a multiple of 128 is 151936, as the weights
        HostileModels.yaml(yaml, "n_embd", "2");
        HostileModels.yaml(yaml, "head_size", null);
        refused(ai, yaml, "n_embd 2 is less than n_head 4");
    }

    @Test
    void theAudioWindowMustFitAtLoad() throws IOException {
        HostileModels.json(audio, r -> HostileModels.at(r, "/thinker_config/audio_config").put("max_source_positions", 1));
        refused(ai, audio, "audio_config.max_source_positions 1 is too small for encoder windows of 40 mel frames"
                + " (one Audio-Interaction chunk), which need 20 positions");
        HostileModels.json(audio, r -> HostileModels.at(r, "/thinker_config/audio_config")
                .put("max_source_positions", 1500).put("n_window", Integer.MAX_VALUE));
        refused(ai, audio, "n_window 2147483647 is out of range (1..65536)");
        HostileModels.json(audio, r -> HostileModels.at(r, "/thinker_config/audio_config")
                .put("n_window", 100).put("d_model", "64"));
        Thinkers.openInteraction(ai, OPTS).close(); // a number as a string is still that number
        HostileModels.json(audio, r -> HostileModels.at(r, "/thinker_config/audio_config").put("d_model", 64.5));
        refused(ai, audio, "key 'd_model' must be an integer, got 64.5");
        HostileModels.json(audio, r -> HostileModels.at(r, "/thinker_config/audio_config").put("d_model", 64)
                .put("encoder_attention_heads", 5));
        refused(ai, audio, "d_model 64 is not a multiple of encoder_attention_heads 5");
    }

    @Test
    void hfConfigValuesAreRangeChecked() throws IOException {
        Path omni = HostileModels.omni(tmp);
        Path config = omni.resolve("config.json");
        String text = "/thinker_config/text_config";
        String[][] cases = {
                {"num_attention_heads", "0", "num_attention_heads 0 is out of range (1..16777216)"},
                {"max_position_embeddings", "4294967306", "max_position_embeddings 4294967306 is out of range (1..16777216)"},
                {"rope_theta", "0", "rope_theta 0 must be a finite number above 0"},
                {"rms_norm_eps", "-1e-6", "rms_norm_eps -1.0E-6 must be a finite number above 0"},
                {"num_hidden_layers", "\"lots\"", "key 'num_hidden_layers' must be an integer, got \"lots\""},
                {"hidden_size", "1.5", "key 'hidden_size' must be an integer, got 1.5"},
        };
        for (String[] c : cases) {
            HostileModels.delete(omni);
            omni = HostileModels.omni(tmp);
            HostileModels.json(config, r -> {
                HostileModels.at(r, text).remove("head_dim");
                HostileModels.at(r, text).set(c[0], parse(c[1]));
            });
            Path dir = omni;
            assertThatThrownBy(() -> OmniLoader.load(dir, OPTS).close()).as(c[0])
                    .isInstanceOf(CheckpointException.class)
                    .hasMessage(config + ": " + c[2]);
        }
        HostileModels.delete(omni);
        Path dir = HostileModels.omni(tmp);
        HostileModels.json(config, r -> HostileModels.at(r, "/thinker_config/audio_config").put("n_window", 2000));
        assertThatThrownBy(() -> OmniLoader.load(dir, OPTS).close()).isInstanceOf(CheckpointException.class)
                .hasMessage(config + ": audio_config.max_source_positions 1500 is too small for encoder windows of 4000"
                        + " mel frames (2 x n_window 2000), which need 2000 positions");
        HostileModels.json(config, r -> {
            HostileModels.at(r, "/thinker_config/audio_config").put("n_window", 100);
            HostileModels.at(r, "/thinker_config").put("audio_token_index", 4_294_968_291L);
        });
        assertThatThrownBy(() -> OmniLoader.load(dir, OPTS).close()).isInstanceOf(CheckpointException.class)
                .hasMessage(config + ": audio_token_index 4294968291 is out of range (0..1023)");
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return HostileModels.JSON.readTree(json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void configsThatAreNoRegularFilesAreNamedWithoutHanging() throws Exception {
        Files.delete(yaml);
        assertThat(new ProcessBuilder("mkfifo", yaml.toString()).start().waitFor()).isZero();
        refused(ai, yaml, "is not a regular file (a device, named pipe or socket)");
        Files.delete(yaml);
        Files.createSymbolicLink(yaml, Path.of("/dev/zero"));
        refused(ai, yaml, "is not a regular file (a device, named pipe or socket)");
        assertThatThrownBy(() -> Thinkers.open(ai, OPTS).close()).isInstanceOf(CheckpointException.class)
                .hasMessage(yaml + ": is not a regular file (a device, named pipe or socket)");
        Files.delete(yaml);
        Files.createDirectory(yaml);
        refused(ai, yaml, "is a directory, not a file");
        Files.delete(yaml);
        refused(ai, ai, "not an Audio-Interaction checkpoint (needs model_config.yaml");
    }

    @Test
    void aShardLinkedToDevZeroIsNamed() throws IOException {
        Path shard = ai.resolve("model-00003-of-00004.safetensors");
        Files.delete(shard);
        Files.createSymbolicLink(shard, Path.of("/dev/zero"));
        refused(ai, ai.resolve("model.safetensors.index.json"),
                "shard 'model-00003-of-00004.safetensors' is not a regular file (a device, named pipe or socket)");
    }

    @Test
    void aTokenizerWithIdsBeyondTheModelsVocabularyNamesBothFiles() throws IOException {
        Path tok = ai.resolve("tokenizer.json");
        Files.writeString(tok, Files.readString(tok).replaceFirst("\"vocab\":\\s*\\{", "\"vocab\": {\"zzzz\": 200000, "));
        assertThatThrownBy(() -> StreamingEngine.load(ai, OPTS)).isInstanceOf(TokenizerException.class)
                .hasMessage(tok + ": token \"zzzz\" has id 200000, but " + yaml
                        + " has a vocabulary of 151936 (tokenizer and model do not match)");
        Files.writeString(tok, Files.readString(tok).replace("\"zzzz\": 200000", "\"zzzz\": 2000000000"));
        assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(20), () -> StreamingEngine.load(ai, OPTS)))
                .isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(tok + ": token \"zzzz\" has id 2000000000, above the limit of 16777216");
        Files.writeString(tok, "{\"x\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}");
        assertThatThrownBy(() -> StreamingEngine.load(ai, OPTS)).isInstanceOf(TokenizerException.class)
                .hasMessage(tok + ": JSON nested deeper than 1000 levels");
    }
}
