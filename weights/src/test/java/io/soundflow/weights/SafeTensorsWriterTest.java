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
    void badInputIsRejected() {
        SafeTensorsWriter w = new SafeTensorsWriter().addF32("x", new float[2], 2);
        assertThatThrownBy(() -> w.addF32("x", new float[2], 2)).hasMessageContaining("added twice");
        assertThatThrownBy(() -> w.addF32("y", new float[3], 2, 2)).hasMessageContaining("do not match");
        assertThatThrownBy(() -> w.write(tmp.resolve("missing-dir/t.safetensors"))).hasMessageContaining("cannot write");
    }
}
