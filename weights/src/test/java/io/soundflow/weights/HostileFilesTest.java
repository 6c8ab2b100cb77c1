package io.soundflow.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Paths that are not regular files (devices, named pipes, directories, dangling links, link loops)
 * are named for what they are and never opened; parse errors read as one line without Jackson's
 * internals; sizes in messages never overflow.
 */
class HostileFilesTest {
    private static final Duration QUICK = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private void writeShards() throws IOException {
        new SafeTensorsWriter().addF32("a", new float[]{1, 2}, 2).write(dir.resolve("s1.safetensors"));
        Files.writeString(dir.resolve(SafeTensors.INDEX_FILE),
                "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\"}}");
    }

    private void shardIs(String problem) {
        assertThatThrownBy(() -> assertTimeoutPreemptively(QUICK, () -> SafeTensors.open(dir)))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(dir.resolve(SafeTensors.INDEX_FILE) + ": shard 's2.safetensors' " + problem);
    }

    @Test
    void aShardThatIsNoRegularFileSaysWhatItIs() throws IOException {
        writeShards();
        shardIs("is missing");
        Path s2 = dir.resolve("s2.safetensors");
        Files.createSymbolicLink(s2, Path.of("/dev/zero"));
        shardIs("is not a regular file (a device, named pipe or socket)");
        Files.delete(s2);
        Files.createDirectory(s2);
        shardIs("is a directory, not a file");
        Files.delete(s2);
        Files.createSymbolicLink(s2, dir.resolve("nowhere"));
        shardIs("is a dangling symbolic link (to " + dir.resolve("nowhere") + ")");
        Files.delete(s2);
        Files.createSymbolicLink(s2, dir.resolve("loop"));
        Files.createSymbolicLink(dir.resolve("loop"), s2);
        shardIs("is a symbolic link loop");
        Files.delete(s2);
        Files.delete(dir.resolve("loop"));
    }

    @Test
    void configsThatAreNoRegularFilesAreRefusedWithoutReading() throws Exception {
        Path fifo = dir.resolve("model_config.yaml");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> assertTimeoutPreemptively(QUICK, () -> Configs.readYaml(fifo)))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(fifo + ": is not a regular file (a device, named pipe or socket)");
        Path zero = dir.resolve("config.json");
        Files.createSymbolicLink(zero, Path.of("/dev/zero"));
        assertThatThrownBy(() -> assertTimeoutPreemptively(QUICK, () -> Configs.readJson(zero)))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(zero + ": is not a regular file (a device, named pipe or socket)");
        Path index = dir.resolve(SafeTensors.INDEX_FILE);
        Files.createSymbolicLink(index, Path.of("/dev/zero"));
        assertThatThrownBy(() -> assertTimeoutPreemptively(QUICK, () -> SafeTensors.open(index)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("not a regular file");
        Files.delete(zero); // before JUnit's clean-up, which warns about links leaving the folder
        Files.delete(index);
    }

    @Test
    void deepNestingAndSyntaxErrorsReadAsOneCleanLine() throws IOException {
        Path index = dir.resolve(SafeTensors.INDEX_FILE);
        Files.writeString(index, "{\"weight_map\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}");
        assertThatThrownBy(() -> SafeTensors.open(index)).isInstanceOf(CheckpointException.class)
                .hasMessage(index + ": the index is not valid JSON: nested deeper than 64 levels");
        Path json = dir.resolve("config.json");
        Files.writeString(json, "{\n \"a\": 1,\n xyz}");
        assertThatThrownBy(() -> Configs.readJson(json)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(json + ": the config is not valid JSON: ")
                .hasMessageContaining("(line 3, column ")
                .hasMessageNotContaining("REDACTED").hasMessageNotContaining("Source").hasMessageNotContaining("\n");
        Path yaml = dir.resolve("deep.yaml");
        Files.writeString(yaml, "a: " + "[".repeat(2000) + "]".repeat(2000) + "\n");
        assertThatThrownBy(() -> Configs.readYaml(yaml)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(yaml + ": not valid YAML: ")
                .hasMessageNotContaining("StreamReadConstraints").hasMessageNotContaining("\n");
        Path header = dir.resolve("bad.safetensors");
        byte[] h = "{\"a\": x}".getBytes();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(header, b.array());
        assertThatThrownBy(() -> SafeTensors.open(header)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(header + ": the header is not valid JSON: ")
                .hasMessageContaining("line 1, column 7").hasMessageNotContaining("REDACTED");
    }

    @Test
    void aForgedStorageSizeIsReportedWithoutOverflow() throws IOException {
        TorchCheckpointWriter w = new TorchCheckpointWriter();
        w.storage("0", DType.F32, new byte[16]);
        w.tensor("w", "0", 0, new long[]{4});
        w.forgedNumel = 1L << 62;
        Path f = dir.resolve("forged.pth");
        w.write(f);
        assertThatThrownBy(() -> TorchCheckpoint.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("storage '0' should hold 4611686018427387904 F32 values (more than 2^63 bytes)")
                .hasMessageNotContaining("(0 bytes)");
        w.forgedNumel = 5L;
        w.write(f);
        assertThatThrownBy(() -> TorchCheckpoint.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("should hold 5 F32 values (20 bytes), the entry has 16");
    }
}
