package io.soundflow.kernels;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Quantize then dequantize stays within each format's bound. For the block formats the bound is stated
 * per value from the block's stored scale d (float16) and the exact scale d* it was computed from:
 * Q8_0 |err| &lt;= d/2 + 127 |d - d*|; Q4_0 |err| &lt;= |d|/2 + 8 |d - d*|, or |d| + 8 |d - d*| for a value
 * clamped to the top nibble (x/d* &gt; 7.5). With d exactly representable in float16 the bound is d/2.
 */
class QuantizerTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Property(tries = 60)
    void q8RoundTrip(@ForAll @IntRange(min = 1, max = 6) int blocks, @ForAll @FloatRange(min = 0.01f, max = 100f) float sd,
                     @ForAll long seed) {
        float[] x = TestData.gaussian(new Random(seed), 32 * blocks, sd);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix w = Quantizer.fromFloats("t", x, 1, x.length, WeightFormat.Q8_0, arena);
            float[] y = w.toFloatArray();
            for (int b = 0; b < blocks; b++) {
                float amax = 0f;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(x[32 * b + j]));
                }
                float exact = amax / 127f;
                float d = Float.float16ToFloat(w.data().get(I16, 34L * b));
                double bound = d / 2.0 + 127.0 * Math.abs(d - exact) + 1e-6 * amax;
                for (int j = 0; j < 32; j++) {
                    int i = 32 * b + j;
                    assertThat((double) Math.abs(y[i] - x[i])).as("value %d", i).isLessThanOrEqualTo(bound);
                }
            }
        }
    }

    @Property(tries = 60)
    void q4RoundTrip(@ForAll @IntRange(min = 1, max = 6) int blocks, @ForAll @FloatRange(min = 0.01f, max = 100f) float sd,
                     @ForAll long seed) {
        float[] x = TestData.gaussian(new Random(seed), 32 * blocks, sd);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix w = Quantizer.fromFloats("t", x, 1, x.length, WeightFormat.Q4_0, arena);
            float[] y = w.toFloatArray();
            for (int b = 0; b < blocks; b++) {
                float max = 0f;
                for (int j = 0; j < 32; j++) {
                    if (Math.abs(x[32 * b + j]) > Math.abs(max)) {
                        max = x[32 * b + j];
                    }
                }
                float exact = max / -8f;
                float d = Float.float16ToFloat(w.data().get(I16, 18L * b));
                double slack = 8.0 * Math.abs(d - exact) + 1e-6 * Math.abs(max);
                for (int j = 0; j < 32; j++) {
                    int i = 32 * b + j;
                    boolean clamped = x[i] / exact > 7.5f;
                    double bound = (clamped ? Math.abs(d) : Math.abs(d) / 2.0) + slack;
                    assertThat((double) Math.abs(y[i] - x[i])).as("value %d (clamped %s)", i, clamped).isLessThanOrEqualTo(bound);
                }
                // the value of largest magnitude is represented exactly up to the scale's rounding
                assertThat((double) Math.abs(-8f * d - max)).isLessThanOrEqualTo(slack);
            }
        }
    }

    @Test
    void exactScalesGiveTheTextbookBound() {
        // amax = 127 * 2^-6: d = 2^-6 is exact in float16, so |err| <= d/2 with no rounding slack
        Random rnd = new Random(1);
        float d = 0x1p-6f;
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (rnd.nextFloat() * 2f - 1f) * 127f * d;
        }
        x[5] = 127f * d;
        x[40] = -127f * d;
        try (Arena arena = Arena.ofConfined()) {
            float[] y = Quantizer.fromFloats("t", x, 1, 64, WeightFormat.Q8_0, arena).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertThat(Math.abs(y[i] - x[i])).isLessThanOrEqualTo(d / 2);
            }
            // Q4_0 with the block's extreme -8 * 2^-4: d = 2^-4, exact; the opposite extreme clamps to 7 d
            float[] z = new float[32];
            float d4 = 0x1p-4f;
            for (int i = 0; i < 32; i++) {
                z[i] = (i - 16) * d4 * 0.49f;
            }
            z[0] = -8f * d4;
            z[31] = 7.9f * d4; // x / d = 7.9: clamped to nibble 15, value 7 d
            float[] zq = Quantizer.fromFloats("t", z, 1, 32, WeightFormat.Q4_0, arena).toFloatArray();
            assertThat(zq[0]).isEqualTo(-8f * d4);
            assertThat(zq[31]).isEqualTo(7f * d4);
            for (int i = 1; i < 31; i++) {
                assertThat(Math.abs(zq[i] - z[i])).isLessThanOrEqualTo(d4 / 2);
            }
        }
    }

    @Test
    void zeroBlocksStayZero() {
        try (Arena arena = Arena.ofConfined()) {
            for (WeightFormat f : WeightFormat.values()) {
                float[] y = Quantizer.fromFloats("t", new float[64], 1, 64, f, arena).toFloatArray();
                for (float v : y) {
                    assertThat(v == 0f).as(f.name() + " dequantized " + v).isTrue(); // 0 or -0
                }
            }
        }
    }

    @Property(tries = 30)
    void halfFormatsRoundToNearest(@ForAll long seed) {
        float[] x = TestData.gaussian(new Random(seed), 100, 2f);
        try (Arena arena = Arena.ofConfined()) {
            float[] bf = Quantizer.fromFloats("t", x, 4, 25, WeightFormat.BF16, arena).toFloatArray();
            float[] h = Quantizer.fromFloats("t", x, 4, 25, WeightFormat.F16, arena).toFloatArray();
            float[] f = Quantizer.fromFloats("t", x, 4, 25, WeightFormat.F32, arena).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertThat(Math.abs(bf[i] - x[i])).isLessThanOrEqualTo(Math.abs(x[i]) * 0x1p-8f);
                if (Math.abs(x[i]) > 0x1p-14f) { // float16 normal range
                    assertThat(Math.abs(h[i] - x[i])).isLessThanOrEqualTo(Math.abs(x[i]) * 0x1p-11f);
                }
                assertThat(f[i]).isEqualTo(x[i]);
            }
        }
    }

    @Test
    void convertBetweenFormats() {
        Random rnd = new Random(3);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix bf = TestData.weights(rnd, WeightFormat.BF16, 3, 64, arena);
            WeightMatrix q8 = Quantizer.convert(bf, WeightFormat.Q8_0, arena);
            assertThat(q8.format()).isEqualTo(WeightFormat.Q8_0);
            assertThat(TestData.relErr(q8.toFloatArray(), bf.toFloatArray())).isLessThan(1e-2);
            assertThat(Quantizer.convert(bf, WeightFormat.BF16, arena)).isSameAs(bf);
        }
    }

    @Test
    void badShapesAreClearErrors() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Quantizer.fromFloats("blk.0", new float[48], 1, 48, WeightFormat.Q8_0, arena))
                    .hasMessageContaining("multiple of 32");
            assertThatThrownBy(() -> Quantizer.fromFloats("blk.0", new float[10], 3, 4, WeightFormat.F32, arena))
                    .hasMessageContaining("blk.0");
            assertThatThrownBy(() -> new WeightMatrix("w", WeightFormat.BF16, 2, 3, arena.allocate(10)))
                    .hasMessageContaining("needs 12 bytes");
        }
    }
}
