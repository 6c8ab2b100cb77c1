package io.soundflow.kernels.vector;

import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.KernelsConformance;
import org.junit.jupiter.api.Test;

import java.util.List;

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
}
