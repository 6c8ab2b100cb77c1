package io.soundflow.weights;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigsAndLayoutTest {

    @TempDir
    Path dir;

    @Test
    void readsJsonAndYaml() throws IOException {
        Path j = dir.resolve("config.json");
        Files.writeString(j, "{\"thinker_config\": {\"text_config\": {\"hidden_size\": 64}}}");
        assertThat(Configs.readJson(j).at("/thinker_config/text_config/hidden_size").asInt()).isEqualTo(64);
        Path y = dir.resolve("model_config.yaml");
        Files.writeString(y, "n_layer: 2\nnorm_eps: 1.0e-06\nhf_config:\n  name: Qwen2.5-3B\nsliding_window_size: null\n");
        JsonNode c = Configs.readYaml(y);
        assertThat(c.get("n_layer").asInt()).isEqualTo(2);
        assertThat(c.get("norm_eps").asDouble()).isEqualTo(1e-6);
        assertThat(c.at("/hf_config/name").asText()).isEqualTo("Qwen2.5-3B");
        assertThat(c.get("sliding_window_size").isNull()).isTrue();
    }

    @Test
    void badConfigsNameTheFile() throws IOException {
        Path j = dir.resolve("broken.json");
        Files.writeString(j, "{\"a\": 1,");
        assertThatThrownBy(() -> Configs.readJson(j)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("broken.json").hasMessageContaining("not valid JSON");
        Files.writeString(j, "");
        assertThatThrownBy(() -> Configs.readJson(j)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("broken.json");
        Files.writeString(j, "{\"a\": 1, \"a\": 2}");
        assertThatThrownBy(() -> Configs.readJson(j)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("broken.json").hasMessageContaining("Duplicate");
        Path y = dir.resolve("broken.yaml");
        Files.writeString(y, "a: [1, 2\nb: :\n");
        assertThatThrownBy(() -> Configs.readYaml(y)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("broken.yaml").hasMessageContaining("not valid YAML");
        Files.writeString(y, "a: 1\na: 2\n");
        assertThatThrownBy(() -> Configs.readYaml(y)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("broken.yaml");
        Files.writeString(y, "");
        assertThatThrownBy(() -> Configs.readYaml(y)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("broken.yaml").hasMessageContaining("empty");
        assertThatThrownBy(() -> Configs.readJson(dir.resolve("none.json"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("none.json").hasMessageContaining("not found");
        assertThatThrownBy(() -> Configs.readYaml(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.toString());
    }

    @Test
    void yamlAliasBombsDoNotExpand() throws IOException {
        // "billion laughs": aliases expanding exponentially
        StringBuilder b = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            b.append("a").append(i).append(": &a").append(i).append(" [");
            for (int k = 0; k < 10; k++) {
                b.append(k == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            b.append("]\n");
        }
        Path y = dir.resolve("bomb.yaml");
        Files.writeString(y, b);
        // 10^12 values if aliases were expanded; Jackson's YAML parser keeps them as references
        JsonNode tree = Configs.readYaml(y);
        assertThat(countNodes(tree)).isLessThan(1000);
    }

    private static long countNodes(JsonNode n) {
        long c = 1;
        for (JsonNode child : n) {
            c += countNodes(child);
        }
        return c;
    }

    @Test
    void detectsLayoutsFromTheFiles() throws IOException {
        assertThat(CheckpointLayout.detect(dir)).isEqualTo(CheckpointLayout.UNKNOWN);
        new SafeTensorsWriter().addF32("w", new float[]{1}, 1).write(dir.resolve("model.safetensors"));
        assertThat(CheckpointLayout.detect(dir)).isEqualTo(CheckpointLayout.UNKNOWN);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"qwen2\"}");
        assertThat(CheckpointLayout.detect(dir)).isEqualTo(CheckpointLayout.UNKNOWN);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"qwen2_5_omni\", \"thinker_config\": {}}");
        assertThat(CheckpointLayout.detect(dir)).isEqualTo(CheckpointLayout.QWEN25_OMNI_HF);
        Files.writeString(dir.resolve("config.json"), "{not json");
        assertThat(CheckpointLayout.detect(dir)).isEqualTo(CheckpointLayout.UNKNOWN);
        Files.writeString(dir.resolve(CheckpointLayout.AI_MODEL_CONFIG), "n_layer: 2\n");
        assertThat(CheckpointLayout.detect(dir)).isEqualTo(CheckpointLayout.UNKNOWN);
        Files.write(dir.resolve(CheckpointLayout.AI_AUDIO_TOWER), new byte[0]);
        assertThat(CheckpointLayout.detect(dir)).isEqualTo(CheckpointLayout.AUDIO_INTERACTION);
        assertThat(CheckpointLayout.detect(dir.resolve("model.safetensors"))).isEqualTo(CheckpointLayout.UNKNOWN);
        for (CheckpointLayout l : CheckpointLayout.values()) {
            assertThat(l.description()).isNotBlank();
        }
    }
}
