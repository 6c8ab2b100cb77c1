package io.soundflow.weights;

import io.soundflow.kernels.WeightMatrix;
import io.soundflow.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Opens the golden checkpoints in ../shared/golden and checks what the README says they hold. */
class GoldenCheckpointsTest {

    @Test
    void omniTinyHas72Bf16Tensors() {
        Path dir = SharedData.require("golden/omni-tiny/model");
        try (TensorStore s = SafeTensors.open(dir)) {
            assertThat(s.tensors()).hasSize(72);
            assertThat(s.tensors().values()).allMatch(t -> t.dtype() == DType.BF16);
            TensorInfo conv1 = s.get("thinker.audio_tower.conv1.weight");
            assertThat(conv1.shape()).containsExactly(64, 128, 3);
            WeightMatrix m = conv1.asMatrix();
            assertThat(m.rows()).isEqualTo(64);
            assertThat(m.cols()).isEqualTo(384);
            assertThat(s.contains("thinker.lm_head.weight")).isTrue();
            assertThat(s.tensors().keySet()).anyMatch(n -> n.startsWith("talker."));
            float[] norm = s.get("thinker.model.norm.weight").toFloatArray();
            assertThat(norm).hasSize(64);
            // the matrix view and the array copy read the same bytes
            float[] row0 = new float[384];
            m.dequantizeRow(0, row0, 0);
            assertThat(row0).isEqualTo(java.util.Arrays.copyOf(conv1.toFloatArray(), 384));
            assertThatThrownBy(() -> s.get("nope")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("nope").hasMessageContaining(dir.getFileName().toString());
        }
        assertThat(CheckpointLayout.detect(dir)).isEqualTo(CheckpointLayout.QWEN25_OMNI_HF);
    }

    @Test
    void shardedTiedHasThreeShardsAndNoLmHead() {
        Path dir = SharedData.require("golden/omni-tiny-sharded-tied/model");
        try (TensorStore s = SafeTensors.open(dir)) {
            assertThat(s.tensors().values().stream().map(TensorInfo::file).distinct()).hasSize(3);
            assertThat(s.contains("thinker.lm_head.weight")).isFalse();
            assertThat(s.contains("thinker.model.embed_tokens.weight")).isTrue();
            assertThat(s.metadata()).containsKey("total_size");
            long total = s.tensors().values().stream().mapToLong(TensorInfo::byteSize).sum();
            assertThat(s.metadata().get("total_size")).isEqualTo(Long.toString(total));
        }
        // the sharded checkpoint holds the same names as the single-file one, minus the tied lm_head
        try (TensorStore a = SafeTensors.open(SharedData.require("golden/omni-tiny/model"));
             TensorStore b = SafeTensors.open(dir)) {
            List<String> expected = new ArrayList<>(a.tensors().keySet());
            expected.remove("thinker.lm_head.weight");
            assertThat(b.tensors().keySet()).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(CheckpointLayout.detect(dir)).isEqualTo(CheckpointLayout.QWEN25_OMNI_HF);
    }

    @Test
    void audioInteractionLmShards() {
        Path dir = SharedData.require("golden/ai-tiny/model");
        try (TensorStore s = SafeTensors.open(dir)) {
            // litgpt: 2 + n_layer * 8 + 1 tensors
            assertThat(s.tensors()).hasSize(2 + 2 * 8 + 1);
            assertThat(s.get("transformer.wte.weight").shape()).containsExactly(151936, 64);
            assertThat(s.get("transformer.h.0.attn.qkv.weight").shape()).containsExactly(64 + 2 * 2 * 16, 64);
            assertThat(s.tensors().values().stream().map(TensorInfo::file).distinct()).hasSize(4);
        }
        assertThat(CheckpointLayout.detect(dir)).isEqualTo(CheckpointLayout.AUDIO_INTERACTION);
        Map<String, ?> yaml = Configs.readYaml(dir.resolve("model_config.yaml")).properties().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(yaml).containsKeys("n_layer", "n_embd", "n_head", "n_query_groups", "rope_base");
        assertThat(Configs.readJson(dir.resolve("qwen25OmniConfig/config.json"))
                .at("/thinker_config/audio_config/d_model").asInt()).isEqualTo(64);
    }

    @Test
    void audioInteractionTowerPth() throws IOException {
        Path pth = SharedData.require("golden/ai-tiny/model/audiointeraction_ChunkwisedEncoder.pth");
        try (TensorStore s = TorchCheckpoint.open(pth)) {
            // 4 conv + 1 unused embedding + n_layers * 15 + ln_post (2) + proj (2)
            assertThat(s.tensors()).hasSize(5 + 2 * 15 + 4);
            assertThat(s.tensors().values()).allMatch(t -> t.dtype() == DType.BF16);
            assertThat(s.get("conv1.weight").shape()).containsExactly(64, 128, 3);
            assertThat(s.get("conv2.weight").shape()).containsExactly(64, 64, 3);
            assertThat(s.contains("layers.0.self_attn.k_proj.bias")).isFalse();
            assertThat(s.get("proj.weight").asMatrix().cols()).isEqualTo(64);
            assertThat(s.metadata()).isEmpty();
            // LayerNorm weights of a random model are finite and not all zero
            float[] lnw = s.get("ln_post.weight").toFloatArray();
            assertThat(lnw).hasSize(64);
            for (float v : lnw) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            // every tensor's mapped bytes equal its storage entry as the JDK's own zip reader sees it
            try (ZipFile zf = new ZipFile(pth.toFile())) {
                Set<String> seen = new HashSet<>();
                for (TensorInfo t : s.tensors().values()) {
                    ZipEntry owner = zf.stream().filter(z -> z.getName().contains("/data/")
                            && z.getSize() == t.byteSize() && !seen.contains(z.getName())
                            && Arrays.equals(readAll(zf, z), t.data().toArray(ValueLayout.JAVA_BYTE)))
                            .findFirst().orElse(null);
                    assertThat(owner).as(t.name()).isNotNull();
                    seen.add(owner.getName());
                }
            }
        }
    }

    private static byte[] readAll(ZipFile zf, ZipEntry e) {
        try (var in = zf.getInputStream(e)) {
            return in.readAllBytes();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }
}
