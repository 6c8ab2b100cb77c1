package io.soundflow.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SafeTensorsWriter round trips through the reader: dtypes, shapes, values, metadata, header alignment. */
class SafeTensorsWriterTest {
    @TempDir
    Path tmp;

    @Test
    void roundTrip() throws Exception {
        Path f = tmp.resolve("t.safetensors");
        float[] a = {1.5f, -2.25f, 3e-8f, Float.MAX_VALUE, 0f, -0f};
        new SafeTensorsWriter().metadata("producer", "test")
                .addF32("a", a, 2, 3)
                .addBF16("b", new float[] {1f, 0.1f}, 2)
                .addI32("c", new int[] {7, -8, 9}, 3)
                .addI64("d", new long[] {1L << 40}, 1)
                .addF32("scalar", new float[] {4f})
                .write(f);
        long headerLen = Long.reverseBytes(java.nio.ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).getLong());
        assertThat(headerLen % 8).isZero();
        try (TensorStore s = SafeTensors.open(f)) {
            assertThat(s.get("a").shape()).containsExactly(2, 3);
            assertThat(s.get("a").toFloatArray()).containsExactly(a);
            assertThat(s.get("b").dtype()).isEqualTo(DType.BF16);
            assertThat(s.get("b").toFloatArray()).containsExactly(1f, io.soundflow.kernels.WeightMatrix.bf16ToFloat(
                    io.soundflow.kernels.WeightMatrix.floatToBf16(0.1f)));
            assertThat(s.get("c").toLongArray()).containsExactly(7, -8, 9);
            assertThat(s.get("d").toLongArray()).containsExactly(1L << 40);
            assertThat(s.get("scalar").rank()).isZero();
            assertThat(s.metadata()).containsEntry("producer", "test");
        }
    }

    @Test
    void shardedRoundTripWithIndex() throws Exception {
        SafeTensorsWriter w = new SafeTensorsWriter();
        byte[][] raw = new byte[5][];
        DType[] dtypes = {DType.F32, DType.BF16, DType.F32, DType.I64, DType.F16};
        for (int i = 0; i < 5; i++) {
            raw[i] = TestBytes.pattern(dtypes[i], 40 * (i + 1), i);
            w.add("t" + i, dtypes[i], new long[] {i + 1, 40}, raw[i]);
        }
        // sizes 160, 160, 480, 1280, 400 bytes with at most 400 per shard: [t0 t1] [t2] [t3] [t4]
        var files = w.writeSharded(tmp, 400);
        assertThat(files).extracting(f -> f.getFileName().toString()).containsExactly(
                "model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
                "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors");
        var index = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve(SafeTensors.INDEX_FILE).toFile());
        assertThat(index.path("metadata").path("total_size").asLong()).isEqualTo(160 + 160 + 480 + 1280 + 400);
        assertThat(index.path("weight_map").path("t1").asText()).isEqualTo("model-00001-of-00004.safetensors");
        assertThat(index.path("weight_map").path("t4").asText()).isEqualTo("model-00004-of-00004.safetensors");
        try (TensorStore s = SafeTensors.open(tmp)) {
            for (int i = 0; i < 5; i++) {
                TensorInfo t = s.get("t" + i);
                assertThat(t.dtype()).isEqualTo(dtypes[i]);
                assertThat(t.shape()).containsExactly(i + 1, 40);
                assertThat(t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(raw[i]);
            }
        }
        assertThatThrownBy(() -> w.writeSharded(tmp, 0)).hasMessageContaining("positive");
    }

    @Test
    void badInputIsRejected() {
        SafeTensorsWriter w = new SafeTensorsWriter().addF32("x", new float[2], 2);
        assertThatThrownBy(() -> w.addF32("x", new float[2], 2)).hasMessageContaining("added twice");
        assertThatThrownBy(() -> w.addF32("y", new float[3], 2, 2)).hasMessageContaining("do not match");
        assertThatThrownBy(() -> w.write(tmp.resolve("missing-dir/t.safetensors"))).hasMessageContaining("cannot write");
    }
}
