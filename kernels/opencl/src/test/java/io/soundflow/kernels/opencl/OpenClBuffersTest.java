package io.soundflow.kernels.opencl;

import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.HalfBuf;
import io.soundflow.kernels.Kernels;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The device buffers behave as the CPU ones: views, writes, reads, fills, copies (overlapping ones too). */
class OpenClBuffersTest {

    static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void viewsWritesReadsFillsAndCopies() {
        Kernels k = OpenClTestBackend.get();
        FloatBuf b = k.alloc(10);
        assertThat(b.toArray()).containsOnly(0f); // zero-filled
        b.write(ramp(10));
        FloatBuf mid = b.slice(3, 4);
        assertThat(mid.size()).isEqualTo(4);
        assertThat(mid.toArray()).containsExactly(3f, 4f, 5f, 6f);
        mid.fill(-1f);
        assertThat(b.toArray()).containsExactly(0f, 1f, 2f, -1f, -1f, -1f, -1f, 7f, 8f, 9f);
        mid.write(1, new float[]{42f, 43f}, 0, 2);
        assertThat(b.toArray()).containsExactly(0f, 1f, 2f, -1f, 42f, 43f, -1f, 7f, 8f, 9f);

        FloatBuf c = k.alloc(5);
        c.copyFrom(b, 4, 1, 3);
        assertThat(c.toArray()).containsExactly(0f, 42f, 43f, -1f, 0f);
        assertThatThrownBy(() -> mid.read(2, new float[4], 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> c.copyFrom(new io.soundflow.kernels.HeapFloatBuf(3), 0, 0, 3))
                .hasMessageContaining("same backend");
    }

    @Test
    void anOverlappingCopyWithinOneBufferMovesTheValues() {
        Kernels k = OpenClTestBackend.get();
        FloatBuf b = k.upload(ramp(20));
        b.copyFrom(b, 0, 5, 10); // forward overlap: [5, 15) = old [0, 10)
        float[] want = ramp(20);
        System.arraycopy(ramp(20), 0, want, 5, 10);
        assertThat(b.toArray()).containsExactly(want);
        FloatBuf s = b.slice(2, 15);
        s.copyFrom(b, 6, 0, 10); // backward overlap across views of one buffer
        float[] want2 = want.clone();
        System.arraycopy(want, 6, want2, 2, 10);
        assertThat(b.toArray()).containsExactly(want2);
    }

    @Test
    void float16BuffersRoundToNearestEvenAndCopy() {
        Kernels k = OpenClTestBackend.get();
        float[] v = {1f, 1.00048828125f /* 1 + 2^-11: a tie, to even (1) */, 1.0014648f, -3.5e-5f, 65504f, Float.NaN};
        HalfBuf h = k.allocHalf(v.length + 2);
        h.writeRounded(1, k.upload(v), 0, v.length);
        float[] got = new float[v.length];
        h.read(1, got, 0, v.length);
        for (int i = 0; i < v.length; i++) {
            float want = Float.float16ToFloat(Float.floatToFloat16(v[i]));
            if (Float.isNaN(want)) {
                assertThat(got[i]).isNaN();
            } else {
                assertThat(got[i]).as("value %d", i).isEqualTo(want);
            }
        }
        HalfBuf h2 = k.allocHalf(4);
        h2.copyFrom(h, 1, 0, 4);
        float[] c = new float[4];
        h2.read(0, c, 0, 4);
        assertThat(c).containsExactly(IntStream.range(0, 4).mapToObj(i -> got[i]).toArray(Float[]::new));
    }
}
