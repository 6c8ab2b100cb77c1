package io.soundflow.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soundflow.kernels.Backends;
import io.soundflow.testing.SharedData;
import io.soundflow.tokenizer.TokenizerException;
import io.soundflow.weights.CheckpointException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Random single-value mutations of the golden configs (a number replaced by 0, -1, a huge number,
 * 2^31, 2^32 + 4, a string, a float or NaN, or the key deleted): loading either succeeds or fails with
 * one line naming the model folder's file, quickly; never an arithmetic, index or null-pointer error,
 * an out-of-memory or a hang.
 */
class ConfigMutationPropertyTest {
    private static final LoadOptions OPTS = new LoadOptions(Backends.create("vector"), null);

    /** A value of a config file: the layout, the file in the model folder, the object holding it, its key. */
    record Target(boolean hf, String file, String pointer, String key) {
        @Override
        public String toString() {
            return (hf ? "omni-tiny/" : "ai-tiny/") + file + " " + pointer + "/" + key;
        }
    }

    enum Mutation {
        ZERO("0"), MINUS_ONE("-1"), HUGE("1000000000000000000000000000000"), TWO_POW_31("2147483648"),
        TWO_POW_32_PLUS_4("4294967300"), STRING("lots"), FLOAT("1.5"), NAN(".nan"), DELETE(null);

        final String yaml;

        Mutation(String yaml) {
            this.yaml = yaml;
        }

        /** The JSON form (JSON has no NaN: the string "NaN"); null deletes. */
        JsonNode json() {
            JsonNodeFactory f = JsonNodeFactory.instance;
            return switch (this) {
                case ZERO -> f.numberNode(0);
                case MINUS_ONE -> f.numberNode(-1);
                case HUGE -> f.numberNode(new BigInteger(yaml));
                case TWO_POW_31 -> f.numberNode(1L << 31);
                case TWO_POW_32_PLUS_4 -> f.numberNode((1L << 32) + 4);
                case STRING -> f.textNode("lots");
                case FLOAT -> f.numberNode(1.5);
                case NAN -> f.textNode("NaN");
                case DELETE -> null;
            };
        }
    }

    @Provide
    Arbitrary<Target> targets() throws IOException {
        List<Target> all = new ArrayList<>();
        Path ai = SharedData.require("golden/ai-tiny/model");
        for (String key : HostileModels.numericYamlKeys(ai.resolve(HostileModels.YAML))) {
            all.add(new Target(false, HostileModels.YAML, "", key));
        }
        JsonNode audio = HostileModels.JSON.readTree(ai.resolve(HostileModels.AUDIO_CONFIG).toFile());
        numericKeys(audio, "/thinker_config", false, HostileModels.AUDIO_CONFIG, all);
        numericKeys(audio, "/thinker_config/audio_config", false, HostileModels.AUDIO_CONFIG, all);
        JsonNode hf = HostileModels.JSON.readTree(SharedData.require("golden/omni-tiny/model/config.json").toFile());
        for (String at : List.of("/thinker_config", "/thinker_config/text_config", "/thinker_config/audio_config",
                "/thinker_config/text_config/rope_scaling")) {
            numericKeys(hf, at, true, "config.json", all);
        }
        return Arbitraries.of(all);
    }

    private static void numericKeys(JsonNode root, String at, boolean hf, String file, List<Target> out) {
        for (Map.Entry<String, JsonNode> e : root.at(at).properties()) {
            if (e.getValue().isNumber()) {
                out.add(new Target(hf, file, at, e.getKey()));
            }
        }
    }

    /** The integer keys each section's loader reads: a value beyond an int, a string or NaN there must fail. */
    private static final Map<String, Set<String>> INT_KEYS = Map.of(
            "", Set.of("block_size", "n_embd", "n_head", "head_size", "n_query_groups", "padded_vocab_size", "n_layer",
                    "intermediate_size", "rope_condense_ratio"),
            "/thinker_config/text_config", Set.of("hidden_size", "num_attention_heads", "head_dim", "num_key_value_heads",
                    "num_hidden_layers", "intermediate_size", "vocab_size", "max_position_embeddings"),
            "/thinker_config/audio_config", Set.of("num_mel_bins", "d_model", "encoder_layers", "encoder_attention_heads",
                    "encoder_ffn_dim", "n_window", "max_source_positions", "output_dim"),
            "/thinker_config", Set.of("audio_token_index", "audio_start_token_id", "audio_end_token_id", "eos_token_id",
                    "pad_token_id"));
    /** The real-valued keys the loaders read: a string or NaN there must fail. */
    private static final Set<String> REAL_KEYS = Set.of("norm_eps", "rope_base", "rotary_percentage", "rms_norm_eps",
            "rope_theta");

    /** Whether loading must refuse {@code m} at {@code target}, as a value the loader reads but cannot take as is. */
    private static boolean mustRefuse(Target target, Mutation m, boolean derivedKeysDropped) {
        boolean notANumber = m == Mutation.STRING || m == Mutation.NAN;
        boolean notAnInt = notANumber || m == Mutation.HUGE || m == Mutation.TWO_POW_31 || m == Mutation.TWO_POW_32_PLUS_4;
        String key = target.key();
        if (target.pointer().equals("/thinker_config") && !target.hf()) {
            return false; // the Audio-Interaction loader reads only the audio_config of this file
        }
        if (target.pointer().isEmpty() && (key.equals("vocab_size") || key.equals("padding_multiple"))) {
            return derivedKeysDropped && notAnInt; // read only without padded_vocab_size
        }
        if (REAL_KEYS.contains(key)) {
            return notANumber;
        }
        return notAnInt && INT_KEYS.getOrDefault(target.pointer(), Set.of()).contains(key);
    }

    /**
     * @param dropDerived also delete the keys whose absence makes the loader derive a value by division
     *                    (head_size, head_dim, padded_vocab_size), so that a zero divisor is reached
     */
    @Property(tries = 60)
    void aMutatedConfigLoadsOrFailsWithOneLineNamingTheFile(@ForAll("targets") Target target, @ForAll Mutation m,
                                                            @ForAll boolean dropDerived) throws IOException {
        Path tmp = Files.createTempDirectory("soundflow-mutation");
        try {
            Path dir = target.hf() ? HostileModels.omni(tmp) : HostileModels.ai(tmp);
            Path file = dir.resolve(target.file());
            if (dropDerived && target.hf()) {
                HostileModels.json(file, r -> HostileModels.at(r, "/thinker_config/text_config").remove("head_dim"));
            } else if (dropDerived) {
                HostileModels.yaml(dir.resolve(HostileModels.YAML), "head_size", null);
                HostileModels.yaml(dir.resolve(HostileModels.YAML), "padded_vocab_size", null);
            }
            if (target.pointer().isEmpty()) {
                HostileModels.yaml(file, target.key(), m.yaml);
            } else {
                HostileModels.json(file, r -> {
                    ObjectNode o = HostileModels.at(r, target.pointer());
                    if (m.json() == null) {
                        o.remove(target.key());
                    } else {
                        o.set(target.key(), m.json());
                    }
                });
            }
            String what = target + " = " + m + (dropDerived ? " (derived keys dropped)" : "");
            try {
                TextDecoderConfig loaded = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                    if (target.hf()) {
                        try (OmniThinker t = OmniLoader.load(dir, OPTS)) {
                            return t.text().config();
                        }
                    }
                    try (AudioInteractionModel a = AudioInteractionLoader.load(dir, OPTS)) {
                        return a.text().config();
                    }
                });
                assertThat(mustRefuse(target, m, dropDerived)).as(what + " loaded: truncated or defaulted").isFalse();
                assertThat(loaded.ropeTheta()).as(what).isPositive().isFinite();
                assertThat(loaded.rmsEps()).as(what).isPositive().isFinite();
            } catch (CheckpointException | IllegalArgumentException | TokenizerException e) {
                assertThat(e.getMessage()).as(what).startsWith(dir.toString()).doesNotContain("\n");
            }
        } finally {
            HostileModels.delete(tmp);
        }
    }
}
