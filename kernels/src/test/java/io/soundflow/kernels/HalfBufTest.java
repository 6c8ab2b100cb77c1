package io.soundflow.kernels;

import io.soundflow.kernels.vector.VectorKernels;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.soundflow.kernels.TestData.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The float16 buffers of the KV cache and the scalar attention over them. */
class HalfBufTest {
    final Kernels k = new ScalarKernels();

    @Test
    void roundsToNearestEvenAndWidensExactly() {
        float[] x = {0f, -0f, 1f, 1.0004883f, 65504f, -65519f, 6e-8f, 1e-9f, Float.POSITIVE_INFINITY, 2049f, 2051f};
        HalfBuf h = k.allocHalf(x.length + 2);
        h.writeRounded(1, k.upload(x), 0, x.length);
        float[] back = new float[x.length + 2];
        h.read(0, back, 0, back.length);
        assertThat(back[0]).isZero();
        assertThat(back[back.length - 1]).isZero();
        for (int i = 0; i < x.length; i++) {
            assertThat(back[i + 1]).as("value %s", x[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(x[i])));
        }
        assertThat(back[1 + 9]).isEqualTo(2048f);  // tie to even
        assertThat(back[1 + 10]).isEqualTo(2052f);
        assertThat(back[1 + 5]).isEqualTo(-65504f); // rounds down into range
    }

    @Test
    void aValueBeyondTheFloat16RangeIsRefusedAndNothingIsWritten() {
        HalfBuf h = k.allocHalf(4);
        FloatBuf src = k.upload(new float[] {1f, 2f, 70000f, 3f});
        assertThatThrownBy(() -> h.writeRounded(0, src, 0, 4))
                .isInstanceOf(ArithmeticException.class)
                .hasMessage("value 70000.0 at index 2 is beyond the float16 range (+-65504.0)");
        float[] back = new float[4];
        h.read(0, back, 0, 4);
        assertThat(back).containsOnly(0f);
    }

    @Test
    void copyFromCopiesBitPatterns() {
        HalfBuf a = k.allocHalf(3), b = k.allocHalf(5);
        a.writeRounded(0, k.upload(new float[] {1.5f, -2.25f, 3e-6f}), 0, 3);
        b.copyFrom(a, 0, 2, 3);
        float[] back = new float[5];
        b.read(0, back, 0, 5);
        assertThat(back).containsExactly(0f, 0f, 1.5f, -2.25f, Float.float16ToFloat(Float.floatToFloat16(3e-6f)));
    }

    @Test
    void buffersOfTheVectorBackendAreHeapBuffersToo() {
        assertThat(new VectorKernels(256).allocHalf(7)).isInstanceOf(HeapHalfBuf.class).extracting(HalfBuf::size).isEqualTo(7);
    }

    /** On values float16 holds exactly, attention over the float16 cache equals the float32 one bit for bit. */
    @Property(tries = 30)
    void float16AttentionOnExactValuesEqualsFloat32(@ForAll @IntRange(min = 0, max = 12) int start,
                                                    @ForAll @IntRange(min = 1, max = 4) int n,
                                                    @ForAll @IntRange(min = 1, max = 2) int kvHeads,
                                                    @ForAll @IntRange(min = 1, max = 3) int group,
                                                    @ForAll @IntRange(min = 1, max = 20) int hd, @ForAll long seed) {
        Random rnd = new Random(seed);
        int heads = kvHeads * group, cap = start + n + 1;
        float[] q = gaussian(rnd, n * heads * hd, 1f);
        float[] kc = exact(gaussian(rnd, cap * kvHeads * hd, 1f)), vc = exact(gaussian(rnd, cap * kvHeads * hd, 1f));
        FloatBuf want = k.alloc(n * heads * hd), got = k.alloc(n * heads * hd);
        k.attentionCausal(k.upload(q), k.upload(kc), k.upload(vc), start, n, heads, kvHeads, hd, want);
        HalfBuf kh = k.allocHalf(kc.length), vh = k.allocHalf(vc.length);
        kh.writeRounded(0, k.upload(kc), 0, kc.length);
        vh.writeRounded(0, k.upload(vc), 0, vc.length);
        k.attentionCausal(k.upload(q), kh, vh, start, n, heads, kvHeads, hd, got);
        assertThat(got.toArray()).containsExactly(want.toArray());
    }

    @Test
    void aFloat16CacheTooShortIsReported() {
        FloatBuf q = k.alloc(4), out = k.alloc(4);
        HalfBuf small = k.allocHalf(4);
        assertThatThrownBy(() -> k.attentionCausal(q, small, small, 1, 1, 1, 1, 4, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KV cache holds 1 positions, need 2");
    }

    private static float[] exact(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
        }
        return x;
    }
}
