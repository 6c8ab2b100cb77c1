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
     * Below 512 bits (no panels) upload gives Q8_0 and Q4_0 matrices their row decode layout when a row holds
     * a whole group, and every value of the packed copy reads back as the stored one (the layout of
     * {@link Packed}, decoded here in scalar); at 512 bits the panels replace it.
     */
    @Test
    void uploadPacksQuantizedRowsValueForValue() {
        Random rnd = new Random(7);
        VectorKernels k = new VectorKernels(256);
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

    /**
     * At 512 bits upload gives BF16, Q8_0 and Q4_0 the matmul panels ({@link Panels}), other widths none, and
     * every panel value (decoded here in scalar) reads back as the stored one, the padding as zero.
     */
    @Test
    void uploadMakesMatmulPanelsAt512BitsOnly() {
        Random rnd = new Random(11);
        try (Arena arena = Arena.ofShared()) {
            for (WeightFormat f : WeightFormat.values()) {
                int rows = 37, cols = f.isQuantized() ? 96 : 45;
                WeightMatrix stored = TestData.weights(rnd, f, rows, cols, arena);
                assertThat(new VectorKernels(256).upload(stored).panels()).as("%s at 256 bits", f).isNull();
                WeightMatrix w = new VectorKernels(512).upload(stored);
                if (f == WeightFormat.F16 || f == WeightFormat.F32) {
                    assertThat(w.panels()).as("%s panels", f).isNull();
                    continue;
                }
                assertThat(w.packed()).as("%s: no row copy beside the panels", f).isNull();
                float[] want = stored.toFloatArray();
                for (int r = 0; r < Panels.panels(rows) * Panels.NR; r++) {
                    for (int c = 0; c < Panels.blocks(cols) * Panels.KB; c++) {
                        float expected = r < rows && c < cols ? want[r * cols + c] : 0f;
                        assertThat(panelValue(w, r, c)).as("%s row %d col %d", f, r, c).isEqualTo(expected);
                    }
                }
            }
        }
    }

    private static float panelValue(WeightMatrix w, int r, int c) {
        var le = java.nio.ByteOrder.LITTLE_ENDIAN;
        var f32 = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(le);
        var i16 = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(le);
        var seg = w.panels();
        int j = r % Panels.NR, k = c % Panels.KB;
        long blk = (r / Panels.NR) * Panels.panelBytes(w.format(), w.cols()) + (long) (c / Panels.KB) * Panels.blockBytes(w.format());
        return switch (w.format()) {
            case BF16 -> WeightMatrix.bf16ToFloat(seg.get(i16, blk + 64L * k + 4L * (j & 15) + 2L * (j >>> 4)));
            case Q8_0 -> seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, blk + 128 + 32L * k + j) * seg.get(f32, blk + 4L * j);
            case Q4_0 -> (((seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, blk + 128 + 16L * k + (j & 15)) >> (4 * (j >>> 4))) & 15) - 8)
                    * seg.get(f32, blk + 4L * j);
            case F32, F16 -> throw new AssertionError();
        };
    }
}
