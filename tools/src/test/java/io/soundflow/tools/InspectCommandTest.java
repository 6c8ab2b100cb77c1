package io.soundflow.tools;

import io.soundflow.testing.SharedData;
import io.soundflow.weights.SafeTensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.soundflow.tools.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** {@code soundflow inspect} through the real command line, output captured. */
class InspectCommandTest {

    @TempDir
    Path dir;


    private static long tensorLines(String out) {
        return out.lines().filter(l -> l.startsWith("  ")).count();
    }

    @Test
    void listsTheOmniTinyCheckpoint() {
        Path model = SharedData.require("golden/omni-tiny/model");
        CliRun r = CliRun.run("inspect", model.toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("layout: Qwen2.5-Omni").contains("model.safetensors: 72 tensors")
                .contains("total: 72 tensors in 1 file").contains("hidden_size 64")
                .containsPattern("thinker\\.audio_tower\\.conv1\\.weight +BF16 +\\[64, 128, 3\\]");
        assertThat(tensorLines(r.out())).isEqualTo(72);
    }

    @Test
    void listsTheAudioInteractionShardsAndTower() {
        Path model = SharedData.require("golden/ai-tiny/model");
        CliRun r = CliRun.run("inspect", model.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("layout: Audio-Interaction release")
                .contains("model_config.yaml: name Qwen2.5-3B-tiny-random, n_layer 2, n_embd 64")
                .contains("model-00001-of-00004.safetensors:").contains("model-00004-of-00004.safetensors:")
                .contains("audiointeraction_ChunkwisedEncoder.pth: 39 tensors")
                .containsPattern("transformer\\.wte\\.weight +BF16 +\\[151936, 64\\]")
                .containsPattern("conv1\\.weight +BF16 +\\[64, 128, 3\\]")
                .contains("total: 58 tensors in 5 files");
        assertThat(tensorLines(r.out())).isEqualTo(19 + 39);
    }

    @Test
    void singleFilesOfEachKind() {
        Path pth = SharedData.require("golden/ai-tiny/model/audiointeraction_ChunkwisedEncoder.pth");
        CliRun r = CliRun.run("inspect", pth.toString());
        assertThat(r.code()).isZero();
        assertThat(tensorLines(r.out())).isEqualTo(39);
        Path index = SharedData.require("golden/omni-tiny-sharded-tied/model/model.safetensors.index.json");
        r = run("inspect", index.toString(), "--verbose");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("total: 71 tensors in 3 files").contains("metadata: total_size = ");
    }

    @Test
    void badInputIsOneLineOnStderr() throws IOException {
        Path bad = dir.resolve("broken.safetensors");
        Files.write(bad, new byte[]{1, 2, 3});
        CliRun r = CliRun.run("inspect", bad.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("soundflow inspect: ").contains("broken.safetensors").contains("truncated");

        r = run("inspect", dir.resolve("missing").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("missing").contains("not found");

        Path empty = Files.createDirectory(dir.resolve("empty"));
        r = run("inspect", empty.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("no checkpoint files");

        // with --verbose the stack trace follows the line
        r = run("inspect", bad.toString(), "--verbose");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().lines().count()).isGreaterThan(1);
        assertThat(r.err()).contains("at io.soundflow.weights.");
    }

    @Test
    void aNamedPipeOrDeviceIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("x.safetensors");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("inspect", fifo.toString()));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("soundflow inspect: " + fifo + ": is not a regular file (a device, named pipe or socket)\n");
        Path dev = dir.resolve("zero.pth");
        Files.createSymbolicLink(dev, Path.of("/dev/zero"));
        r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("inspect", dev.toString()));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(dev + ": is not a regular file");
        Files.delete(dev); // before JUnit's clean-up, which warns about links leaving the folder
    }

    @Test
    void aCheckpointFolderWhoseTowerIsDevZeroIsAnError() throws IOException {
        Path src = SharedData.require("golden/ai-tiny/model");
        Path model = Files.createDirectories(dir.resolve("model"));
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) {
                Path link = model.resolve(f.getFileName().toString());
                Files.createSymbolicLink(link, f.getFileName().toString().endsWith(".pth") ? Path.of("/dev/zero") : f);
            }
        }
        CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("inspect", model.toString()));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).doesNotContain("layout: unknown");
        assertThat(r.err()).isEqualTo("soundflow inspect: " + model.resolve("audiointeraction_ChunkwisedEncoder.pth")
                + ": is not a regular file (a device, named pipe or socket)\n");
        try (var links = Files.list(model)) {
            for (Path l : links.toList()) {
                Files.delete(l);
            }
        }
    }

    @Test
    void folderOfLooseSafetensorsFiles() {
        new SafeTensorsWriter().addF32("a", new float[]{1, 2}, 2).write(dir.resolve("one.safetensors"));
        new SafeTensorsWriter().addF32("b", new float[]{3}, 1).write(dir.resolve("two.safetensors"));
        CliRun r = CliRun.run("inspect", dir.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("layout: unknown").contains("one.safetensors: 1 tensor")
                .contains("two.safetensors: 1 tensor").contains("total: 2 tensors in 2 files, 3 values");
    }
}
