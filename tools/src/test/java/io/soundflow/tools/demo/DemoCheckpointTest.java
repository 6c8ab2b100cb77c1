package io.soundflow.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.tokenizer.Tokenizer;
import io.soundflow.tools.CliRun;
import io.soundflow.weights.CheckpointLayout;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorInfo;
import io.soundflow.weights.TensorStore;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import io.soundflow.weights.TorchCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo model folder on disk: the released Audio-Interaction files expanded from the committed compact
 * model, loadable by the normal loader, byte-for-byte the trained rows, reproducible, rewritten when outdated
 * or damaged. (What the model does on sound is checked by {@code DemoModelTest} and the eval regression test.)
 */
class DemoCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void theFolderIsAReleasedLayoutHoldingTheTrainedRowsByteForByte() throws Exception {
        Demo demo = Demo.load(tmp.resolve("a"));
        demo.engine().close();
        Path model = demo.modelDir();
        assertThat(model).isEqualTo(tmp.resolve("a/model"));
        assertThat(CheckpointLayout.detect(model)).isEqualTo(CheckpointLayout.AUDIO_INTERACTION);
        for (String f : new String[] {"model_config.yaml", "model.safetensors.index.json", "tokenizer.json",
                "audiointeraction_ChunkwisedEncoder.pth", "qwen25OmniConfig/config.json", DemoCheckpoint.MARKER}) {
            assertThat(model.resolve(f)).isRegularFile();
        }
        Map<String, byte[]> compact = DemoCheckpoint.compact();
        // the tower and the configs are the trainer's files unchanged
        for (String f : DemoCheckpoint.COPIED) {
            assertThat(Files.readAllBytes(model.resolve(f))).as(f).isEqualTo(compact.get(f));
        }
        Path lm = Files.write(tmp.resolve("lm.safetensors"), compact.get(DemoCheckpoint.LM));
        try (TensorStore full = SafeTensors.open(model); TensorStore small = SafeTensors.open(lm)) {
            int[] ids = DemoCheckpoint.vocabIds(small);
            java.util.Set<Integer> used = new java.util.HashSet<>();
            for (int id : ids) {
                used.add(id);
            }
            TensorInfo head = full.get(DemoCheckpoint.HEAD);
            TensorInfo wte = full.get(DemoCheckpoint.WTE);
            int d = (int) small.get(DemoCheckpoint.WTE).dim(1);
            assertThat(head.shape()).containsExactly(151_936, d);
            assertThat(wte.shape()).containsExactly(151_936, d);
            byte[] smallHead = small.get(DemoCheckpoint.HEAD).data().toArray(ValueLayout.JAVA_BYTE);
            byte[] smallWte = small.get(DemoCheckpoint.WTE).data().toArray(ValueLayout.JAVA_BYTE);
            byte[] fullHead = head.data().toArray(ValueLayout.JAVA_BYTE);
            byte[] fullWte = wte.data().toArray(ValueLayout.JAVA_BYTE);
            int row = 2 * d;
            byte[] rest = Arrays.copyOfRange(smallHead, ids.length * row, (ids.length + 1) * row);
            for (int i = 0; i < ids.length; i++) {
                assertThat(Arrays.copyOfRange(fullHead, ids[i] * row, (ids[i] + 1) * row)).as("lm_head row %d", ids[i])
                        .isEqualTo(Arrays.copyOfRange(smallHead, i * row, (i + 1) * row));
                assertThat(Arrays.copyOfRange(fullWte, ids[i] * row, (ids[i] + 1) * row)).as("embedding row %d", ids[i])
                        .isEqualTo(Arrays.copyOfRange(smallWte, i * row, (i + 1) * row));
            }
            for (int r : new int[] {256, 1000, 151_643 - 1, 151_935}) { // ids the model never uses
                assertThat(used).doesNotContain(r);
                assertThat(Arrays.copyOfRange(fullHead, r * row, (r + 1) * row)).as("unused lm_head row %d", r).isEqualTo(rest);
                assertThat(Arrays.copyOfRange(fullWte, r * row, (r + 1) * row)).as("unused embedding row %d", r).containsOnly((byte) 0);
            }
            for (TensorInfo t : small.tensors().values()) { // every other tensor is copied unchanged
                if (!t.name().equals(DemoCheckpoint.HEAD) && !t.name().equals(DemoCheckpoint.WTE) && !t.name().equals(DemoCheckpoint.VOCAB_IDS)) {
                    assertThat(full.get(t.name()).data().toArray(ValueLayout.JAVA_BYTE)).as(t.name())
                            .isEqualTo(t.data().toArray(ValueLayout.JAVA_BYTE));
                }
            }
            assertThat(full.contains(DemoCheckpoint.VOCAB_IDS)).isFalse();
        }

        CliRun inspect = CliRun.run("inspect", model.toString());
        assertThat(inspect.code()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("Audio-Interaction");

        // a second write elsewhere gives byte-identical files; a matching marker is reused as is
        Path b = DemoCheckpoint.prepare(tmp.resolve("b"));
        assertThat(digests(b)).isEqualTo(digests(model));
        long before = Files.getLastModifiedTime(model.resolve("model.safetensors.index.json")).toMillis();
        assertThat(DemoCheckpoint.prepare(tmp.resolve("a"))).isEqualTo(model);
        assertThat(Files.getLastModifiedTime(model.resolve("model.safetensors.index.json")).toMillis()).isEqualTo(before);
    }

    @Test
    void aFolderWithAnotherVersionOrAMissingFileIsRegenerated() throws Exception {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        Files.writeString(model.resolve(DemoCheckpoint.MARKER), "version=an older demo model\n");
        Files.writeString(model.resolve("stale.txt"), "left over");
        assertThat(DemoCheckpoint.prepare(tmp)).isEqualTo(model);
        assertThat(model.resolve("stale.txt")).doesNotExist();
        assertThat(CheckpointLayout.detect(model)).isEqualTo(CheckpointLayout.AUDIO_INTERACTION);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("model"); // no temp folders left
        }
        Files.delete(model.resolve(CheckpointLayout.AI_AUDIO_TOWER)); // marker matches, a needed file is gone
        DemoCheckpoint.prepare(tmp);
        assertThat(model.resolve(CheckpointLayout.AI_AUDIO_TOWER)).isRegularFile();
    }

    @Test
    void aTruncatedShardWithAMatchingMarkerIsRegenerated() throws Exception {
        Path model = DemoCheckpoint.prepare(tmp);
        Path shard;
        try (Stream<Path> s = Files.list(model)) {
            shard = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().findFirst().orElseThrow();
        }
        long size = Files.size(shard);
        try (var ch = java.nio.channels.FileChannel.open(shard, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        DemoCheckpoint.prepare(tmp);
        assertThat(Files.size(shard)).isEqualTo(size);
        Demo.load(tmp).engine().close();
    }

    @Test
    void aDemoFolderThatCannotBeCreatedSaysWhy() throws Exception {
        Path file = Files.writeString(tmp.resolve("occupied"), "a file, not a folder");
        Path dir = file.resolve("demo");
        assertThatThrownBy(() -> Demo.load(dir)).isInstanceOf(java.io.IOException.class)
                .hasMessageStartingWith(dir + ": cannot create the demo folder: ");
        assertThat(Demo.reason(new java.nio.file.AccessDeniedException(dir.toString()))).isEqualTo("permission denied");
    }

    private static Map<String, String> digests(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                out.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(h));
            }
        }
        return out;
    }

}
