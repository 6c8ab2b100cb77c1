package io.soundflow.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.tokenizer.Tokenizer;
import io.soundflow.tools.CliRun;
import io.soundflow.weights.CheckpointLayout;
import io.soundflow.weights.SafeTensors;
import io.soundflow.weights.TensorStore;
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
 * The demo model folder on disk: the released Audio-Interaction files, loadable by the normal loader,
 * {@code stream} on it makes the decisions it was steered to, and generation is byte-reproducible.
 */
class DemoCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void theFolderIsAReleasedLayoutThatStreamLoadsAndAnswersOnTheBeeps() throws Exception {
        Demo demo = Demo.load(tmp.resolve("a"));
        demo.engine().close();
        Path model = demo.modelDir();
        assertThat(model).isEqualTo(tmp.resolve("a/model"));
        assertThat(CheckpointLayout.detect(model)).isEqualTo(CheckpointLayout.AUDIO_INTERACTION);
        for (String f : new String[] {"model_config.yaml", "model.safetensors.index.json", "tokenizer.json",
                "audiointeraction_ChunkwisedEncoder.pth", "qwen25OmniConfig/config.json", DemoCheckpoint.MARKER}) {
            assertThat(model.resolve(f)).isRegularFile();
        }
        try (TensorStore lm = SafeTensors.open(model); TensorStore tower = TorchCheckpoint.open(
                model.resolve(CheckpointLayout.AI_AUDIO_TOWER))) {
            assertThat(lm.get("transformer.h.0.attn.qkv.weight").shape()).containsExactly(128, 64); // [Q 64; K 32; V 32]
            assertThat(lm.get("lm_head.weight").shape()).containsExactly(151_936, 64);
            assertThat(tower.get("proj.weight").shape()).containsExactly(64, 64);
            assertThat(tower.get("conv1.weight").shape()).containsExactly(64, 128, 3);
        }
        assertThat(demo.steeringMargin()).isGreaterThan(1.0);

        CliRun inspect = CliRun.run("inspect", model.toString());
        assertThat(inspect.code()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("Audio-Interaction");

        // stream on the folder, as a user would run it by hand: respond exactly on the steered chunks
        Path trace = tmp.resolve("trace.json");
        CliRun r = CliRun.run("stream", "--model", model.toString(), "--wav", demo.clipFile().toString(), "--trace", trace.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode t = new ObjectMapper().readTree(trace.toFile());
        StringBuilder wanted = new StringBuilder();
        for (boolean b : Demo.respondChunks()) {
            wanted.append(b ? 'R' : 's');
        }
        assertThat(t.path("decisions").asText()).isEqualTo(wanted.toString()).contains("R").contains("s");
        int[] reply = DemoCheckpoint.reply(Tokenizer.load(model.resolve("tokenizer.json")));
        List<Integer> want = new ArrayList<>();
        for (int id : reply) {
            want.add(id);
        }
        assertThat(want.getLast()).isEqualTo(151643); // TEXT_END closes the reply
        int responses = 0;
        for (JsonNode c : t.path("chunks")) {
            if (c.path("decision").asInt() == 151644) {
                responses++;
                List<Integer> got = new ArrayList<>();
                c.path("reply").forEach(x -> got.add(x.asInt()));
                assertThat(got).isEqualTo(want);
            }
        }

        assertThat(responses).isEqualTo(DemoAssets.BEEP_CHUNKS.length);

        // a second generation elsewhere gives byte-identical files; a matching marker is reused as is
        Path b = DemoCheckpoint.prepare(tmp.resolve("b"), demo.clip(), Demo.respondChunks());
        assertThat(digests(b)).isEqualTo(digests(model));
        long before = Files.getLastModifiedTime(model.resolve("model.safetensors.index.json")).toMillis();
        assertThat(DemoCheckpoint.prepare(tmp.resolve("a"), demo.clip(), Demo.respondChunks())).isEqualTo(model);
        assertThat(Files.getLastModifiedTime(model.resolve("model.safetensors.index.json")).toMillis()).isEqualTo(before);
    }

    @Test
    void aFolderWithAnotherVersionOrAMissingFileIsRegenerated() throws Exception {
        float[] clip = DemoAssets.clip();
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        Files.writeString(model.resolve(DemoCheckpoint.MARKER), "version=an older demo model\n");
        Files.writeString(model.resolve("stale.txt"), "left over");
        assertThat(DemoCheckpoint.prepare(tmp, clip, Demo.respondChunks())).isEqualTo(model);
        assertThat(model.resolve("stale.txt")).doesNotExist();
        assertThat(CheckpointLayout.detect(model)).isEqualTo(CheckpointLayout.AUDIO_INTERACTION);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("model"); // no temp folders left
        }
        Files.delete(model.resolve(CheckpointLayout.AI_AUDIO_TOWER)); // marker matches, a needed file is gone
        DemoCheckpoint.prepare(tmp, clip, Demo.respondChunks());
        assertThat(model.resolve(CheckpointLayout.AI_AUDIO_TOWER)).isRegularFile();
    }

    @Test
    void aTruncatedShardWithAMatchingMarkerIsRegenerated() throws Exception {
        float[] clip = DemoAssets.clip();
        Path model = DemoCheckpoint.prepare(tmp, clip, Demo.respondChunks());
        Path shard;
        try (Stream<Path> s = Files.list(model)) {
            shard = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().findFirst().orElseThrow();
        }
        long size = Files.size(shard);
        try (var ch = java.nio.channels.FileChannel.open(shard, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        DemoCheckpoint.prepare(tmp, clip, Demo.respondChunks());
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
