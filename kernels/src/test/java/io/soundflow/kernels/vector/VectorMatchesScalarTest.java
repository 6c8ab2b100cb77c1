package io.soundflow.kernels.vector;

import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.KernelsConformance;
import io.soundflow.kernels.TestData;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance suite ({@link KernelsConformance}: every op, every format, random odd shapes, against
 * {@code scalar}, relative error at most {@value KernelsConformance#TOL}) at every forced vector width
 * (128, 256, 512), plus the vector backend's own float16 widening check.
 */
class VectorMatchesScalarTest extends KernelsConformance {
    private static final List<Kernels> WIDTHS = List.of(new VectorKernels(128), new VectorKernels(256), new VectorKernels(512));

    @Override
    protected List<Kernels> backends() {
        return WIDTHS;
    }

    /** The vector widening of float16 equals {@link Float#float16ToFloat} bit for bit, for all 65536 patterns. */
    @Test
    void float16WideningIsExactForEveryBitPattern() {
        short[] all = new short[1 << 16];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        float[] lanes = new float[AttentionOps.L];
        for (int i = 0; i < all.length; i += AttentionOps.L) {
            AttentionOps.widen(all, i).intoArray(lanes, 0);
            for (int j = 0; j < lanes.length; j++) {
                assertThat(Float.floatToRawIntBits(lanes[j])).as("float16 0x%04x", i + j)
                        .isEqualTo(Float.floatToRawIntBits(Float.float16ToFloat(all[i + j])));
            }
        }
    }

    /**
     * Upload gives Q8_0 and Q4_0 matrices their decode layout when a row holds a whole group, and every value
     * of the packed copy reads back as the stored one (the layout of {@link Packed}, decoded here in scalar).
     */
    @Test
    void uploadPacksQuantizedRowsValueForValue() {
        Random rnd = new Random(7);
        VectorKernels k = new VectorKernels(512);
        try (Arena arena = Arena.ofConfined()) {
            for (WeightFormat f : WeightFormat.values()) {
                for (int cols : new int[]{32, 64, 96, 128, 160, 416}) {
                    if (f.isQuantized() || cols == 416) {
                        WeightMatrix w = k.upload(TestData.weights(rnd, f, 3, cols, arena));
                        int groups = Packed.groups(f, cols);
                        assertThat(w.packed() != null).as("%s cols=%d packed", f, cols).isEqualTo(groups > 0);
                        if (groups > 0) {
                            checkPacked(w, groups);
                        }
                    }
                }
            }
        }
    }

    private static void checkPacked(WeightMatrix w, int groups) {
        boolean q4 = w.format() == WeightFormat.Q4_0;
        int gv = Packed.groupValues(w.format()), gb = Packed.groupBytes(w.format()), bits = q4 ? 4 : 8;
        float[] stored = w.toFloatArray();
        var le = java.nio.ByteOrder.LITTLE_ENDIAN;
        var i32 = java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(le);
        var f32 = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(le);
        for (int r = 0; r < w.rows(); r++) {
            for (int g = 0; g < groups; g++) {
                long at = ((long) r * groups + g) * gb;
                for (int c = 0; c < gv; c++) {
                    int lane = w.packed().get(i32, at + 4L * (c & 15));
                    int u = (lane >>> (bits * (c >>> 4))) & ((1 << bits) - 1);
                    float d = w.packed().get(f32, at + 64 + 4L * (c >>> 5));
                    float value = (u - (q4 ? 8 : 128)) * d;
                    assertThat(value).as("%s row %d col %d", w.format(), r, g * gv + c)
                            .isEqualTo(stored[r * w.cols() + g * gv + c]);
                }
            }
        }
    }
}
