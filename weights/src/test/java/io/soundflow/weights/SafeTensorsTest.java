package io.soundflow.weights;

import io.soundflow.kernels.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeTensorsTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsEveryDtype() throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
        for (DType d : DType.values()) {
            w.add("t." + d, d, new long[]{3, 5}, TestBytes.pattern(d, 15, d.ordinal()));
        }
        Path f = dir.resolve("all.safetensors");
        w.write(f);
        try (TensorStore s = SafeTensors.open(f)) {
            assertThat(s.source()).isEqualTo(f.toAbsolutePath());
            assertThat(s.metadata()).containsEntry("format", "pt");
            assertThat(s.tensors().keySet()).containsExactlyElementsOf(
                    Arrays.stream(DType.values()).map(d -> "t." + d).toList());
            for (DType d : DType.values()) {
                TensorInfo t = s.get("t." + d);
                assertThat(t.dtype()).isEqualTo(d);
                assertThat(t.shape()).containsExactly(3, 5);
                assertThat(t.elementCount()).isEqualTo(15);
                assertThat(t.file()).isEqualTo(f.toAbsolutePath());
                byte[] raw = TestBytes.pattern(d, 15, d.ordinal());
                assertThat(t.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(raw);
                ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                if (d.isFloatingPoint()) {
                    float[] v = t.toFloatArray();
                    for (int i = 0; i < 15; i++) {
                        float expect = switch (d) {
                            case F32 -> bb.getFloat(4 * i);
                            case F16 -> Float.float16ToFloat(bb.getShort(2 * i));
                            default -> WeightMatrix.bf16ToFloat(bb.getShort(2 * i));
                        };
                        assertThat(v[i]).isEqualTo(expect);
                    }
                    WeightMatrix m = t.asMatrix();
                    assertThat(m.rows()).isEqualTo(3);
                    assertThat(m.cols()).isEqualTo(5);
                    assertThat(m.toFloatArray()).isEqualTo(v);
                    assertThatThrownBy(t::toLongArray).isInstanceOf(CheckpointException.class)
                            .hasMessageContaining("t." + d);
                } else {
                    long[] v = t.toLongArray();
                    for (int i = 0; i < 15; i++) {
                        long expect = switch (d) {
                            case I8 -> bb.get(i);
                            case U8 -> bb.get(i) & 0xFF;
                            case BOOL -> bb.get(i) != 0 ? 1 : 0;
                            case I16 -> bb.getShort(2 * i);
                            case I32 -> bb.getInt(4 * i);
                            default -> bb.getLong(8 * i);
                        };
                        assertThat(v[i]).isEqualTo(expect);
                    }
                    assertThatThrownBy(t::asMatrix).isInstanceOf(CheckpointException.class)
                            .hasMessageContaining("t." + d).hasMessageContaining("F32, F16 or BF16");
                    assertThatThrownBy(t::toFloatArray).isInstanceOf(CheckpointException.class);
                }
            }
        }
    }

    @Test
    void scalarsEmptyTensorsAndFlattenedMatrices() throws IOException {
        Path f = dir.resolve("shapes.safetensors");
        float[] conv = new float[4 * 3 * 2];
        for (int i = 0; i < conv.length; i++) {
            conv[i] = i * 0.5f;
        }
        new SafeTensorsWriter()
                .addF32("scalar", new float[]{7f})
                .addF32("empty", new float[0], 0, 4)
                .addF32("conv", conv, 4, 3, 2)
                .addF32("vec", new float[6], 6)
                .write(f);
        try (TensorStore s = SafeTensors.open(f)) {
            assertThat(s.get("scalar").elementCount()).isEqualTo(1);
            assertThat(s.get("scalar").toFloatArray()).containsExactly(7f);
            assertThat(s.get("empty").elementCount()).isZero();
            assertThat(s.get("empty").toFloatArray()).isEmpty();
            WeightMatrix m = s.get("conv").asMatrix();
            assertThat(m.rows()).isEqualTo(4);
            assertThat(m.cols()).isEqualTo(6);
            assertThat(m.toFloatArray()).isEqualTo(conv);
            assertThatThrownBy(() -> s.get("vec").asMatrix()).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("vec").hasMessageContaining("at least 2 dimensions");
            assertThatThrownBy(() -> s.get("empty").asMatrix()).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("empty");
        }
    }

    @Test
    void closeUnmaps() throws IOException {
        Path f = dir.resolve("a.safetensors");
        new SafeTensorsWriter().addF32("w", new float[]{1, 2, 3, 4}, 2, 2).write(f);
        TensorStore s = SafeTensors.open(f);
        TensorInfo t = s.get("w");
        s.close();
        s.close(); // idempotent
        assertThatThrownBy(t::toFloatArray).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void opensFolderWithSingleFile() throws IOException {
        new SafeTensorsWriter().addF32("w", new float[]{1}, 1).write(dir.resolve("model.safetensors"));
        try (TensorStore s = SafeTensors.open(dir)) {
            assertThat(s.source()).isEqualTo(dir.toAbsolutePath());
            assertThat(s.tensors()).containsOnlyKeys("w");
        }
    }

    @Test
    void folderWithoutWeightsIsAClearError() {
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("model.safetensors");
        assertThatThrownBy(() -> SafeTensors.open(dir.resolve("nope.safetensors")))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("nope.safetensors")
                .hasMessageContaining("not found");
    }

    // ---- shards -------------------------------------------------------------------------------

    private void writeShards() throws IOException {
        new SafeTensorsWriter().addF32("a", new float[]{1, 2}, 2).addF32("b", new float[]{3}, 1)
                .metadata("format", "pt").write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafeTensorsWriter().addF32("c", new float[]{4, 5, 6, 7}, 2, 2)
                .write(dir.resolve("model-00002-of-00002.safetensors"));
    }

    private Path index(String weightMap) throws IOException {
        Path idx = dir.resolve(SafeTensors.INDEX_FILE);
        Files.writeString(idx, "{\"metadata\": {\"total_size\": 28}, \"weight_map\": {" + weightMap + "}}");
        return idx;
    }

    private static final String GOOD_MAP = "\"a\": \"model-00001-of-00002.safetensors\", "
            + "\"c\": \"model-00002-of-00002.safetensors\", \"b\": \"model-00001-of-00002.safetensors\"";

    @Test
    void shardsThroughTheIndex() throws IOException {
        writeShards();
        Path idx = index(GOOD_MAP);
        for (Path p : List.of(dir, idx)) {
            try (TensorStore s = SafeTensors.open(p)) {
                assertThat(s.tensors().keySet()).containsExactly("a", "b", "c");
                assertThat(s.get("c").toFloatArray()).containsExactly(4, 5, 6, 7);
                assertThat(s.get("c").file().getFileName().toString()).isEqualTo("model-00002-of-00002.safetensors");
                assertThat(s.metadata()).containsEntry("total_size", "28").containsEntry("format", "pt");
            }
        }
    }

    @Test
    void missingShardIsNamed() throws IOException {
        writeShards();
        index(GOOD_MAP + ", \"d\": \"model-00003-of-00003.safetensors\"");
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(SafeTensors.INDEX_FILE).hasMessageContaining("model-00003-of-00003.safetensors")
                .hasMessageContaining("missing");
    }

    @Test
    void indexedTensorMissingFromItsShard() throws IOException {
        writeShards();
        index(GOOD_MAP + ", \"d\": \"model-00002-of-00002.safetensors\"");
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model-00002-of-00002.safetensors").hasMessageContaining("'d'")
                .hasMessageContaining("listed in the index");
    }

    @Test
    void tensorInTheWrongShardOrNotIndexed() throws IOException {
        writeShards();
        index("\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\", "
                + "\"c\": \"model-00002-of-00002.safetensors\"");
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'b'").hasMessageContaining("model-00002-of-00002.safetensors");
        index("\"a\": \"model-00001-of-00002.safetensors\", \"c\": \"model-00002-of-00002.safetensors\"");
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'b'").hasMessageContaining("not in");
    }

    @Test
    void hostileIndexes() throws IOException {
        writeShards();
        Files.writeString(dir.resolve(SafeTensors.INDEX_FILE), "{\"weight_map\": ");
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(SafeTensors.INDEX_FILE).hasMessageContaining("not valid JSON");
        Files.writeString(dir.resolve(SafeTensors.INDEX_FILE), "[1, 2]");
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a JSON object");
        Files.writeString(dir.resolve(SafeTensors.INDEX_FILE), "{\"metadata\": {}}");
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("weight_map");
        index("\"a\": \"../../etc/passwd\"");
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a file beside the index");
        index("\"a\": 3");
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'a'");
        index("\"a\": \"x.safetensors\", \"a\": \"y.safetensors\"");
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Duplicate");
    }

    // ---- corrupt single files -----------------------------------------------------------------

    private Path raw(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private void rejects(Path f, String... fragments) {
        assertThatThrownBy(() -> SafeTensors.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(f.getFileName().toString())
                .satisfies(e -> {
                    for (String s : fragments) {
                        assertThat(e.getMessage()).contains(s);
                    }
                });
    }

    @Test
    void rejectsCorruptHeaders() throws IOException {
        rejects(raw("{\"w\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 8),
                "'w'", "unsupported dtype 'F64'");
        rejects(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8),
                "'w'", "needs 12 bytes");
        rejects(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8),
                "'w'", "past the end");
        rejects(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4),
                "'w'", "non-negative");
        rejects(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4), "'w'");
        rejects(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}", 4), "'w'");
        rejects(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4), "'w'", "data_offsets");
        rejects(raw("{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4), "'w'", "dtype");
        rejects(raw("{\"w\": [1, 2]}", 4), "'w'", "not an object");
        rejects(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "overlaps");
        rejects(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                + " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4), "Duplicate");
        rejects(raw("{\"__metadata__\": {\"n\": 3}}", 0), "__metadata__");
        rejects(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 4294967296], "
                + "\"data_offsets\": [0, 4]}}", 4), "'w'", "overflows");
        rejects(raw("{\"w\": ", 0), "not valid JSON");
        rejects(raw("[1, 2, 3]", 0), "does not start with '{'");
        rejects(raw("{}   \u0000\u0000", 0), "not valid JSON");
        rejects(raw("{} {}", 0), "not valid JSON");
    }

    @Test
    void rejectsBadLengthsAndTruncation() throws IOException {
        Path f = dir.resolve("t.safetensors");
        Files.write(f, new byte[]{1, 2, 3});
        rejects(f, "truncated");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        rejects(f, "header length", "out of range");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L).array());
        rejects(f, "header length");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        rejects(f, "truncated", "1008");
        // a valid file cut short inside its data
        Path good = dir.resolve("good.safetensors");
        new SafeTensorsWriter().addF32("w", new float[8], 8).write(good);
        byte[] all = Files.readAllBytes(good);
        Files.write(f, Arrays.copyOf(all, all.length - 1));
        rejects(f, "'w'", "past the end");
    }

    @Test
    void mapsFilesBeyondTwoGigabytes() throws IOException {
        // a sparse file: a 2^31 + 64 byte U8 tensor, then an F32 tensor whose bytes lie past the 2 GB mark
        long big = (1L << 31) + 64;
        String header = "{\"big\": {\"dtype\": \"U8\", \"shape\": [" + big + "], \"data_offsets\": [0, " + big + "]},"
                + " \"tail\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [" + big + ", " + (big + 16) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("sparse.safetensors");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
            ch.write(ByteBuffer.wrap(h));
            ByteBuffer tail = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            tail.asFloatBuffer().put(new float[]{1.5f, -2f, 3.25f, 4f});
            ch.write(tail, 8 + h.length + big);
        }
        try (TensorStore s = SafeTensors.open(f)) {
            assertThat(s.get("big").byteSize()).isEqualTo(big);
            assertThat(s.get("tail").toFloatArray()).containsExactly(1.5f, -2f, 3.25f, 4f);
            assertThat(s.get("tail").asMatrix().toFloatArray()).containsExactly(1.5f, -2f, 3.25f, 4f);
            assertThatThrownBy(() -> s.get("big").toLongArray()).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'big'").hasMessageContaining("too many");
        }
    }
}
