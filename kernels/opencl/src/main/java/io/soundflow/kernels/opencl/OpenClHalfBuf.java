package io.soundflow.kernels.opencl;

import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.HalfBuf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The opencl backend's {@link HalfBuf}: float16 values in a device buffer, rounded to nearest even on the
 * device ({@code vstore_half_rte}) and widened on the host when read.
 */
final class OpenClHalfBuf implements HalfBuf {
    final OpenClKernels backend;
    final OpenClContext.Mem mem;
    final int len;

    OpenClHalfBuf(OpenClKernels backend, OpenClContext.Mem mem, int len) {
        this.backend = backend;
        this.mem = mem;
        this.len = len;
    }

    static OpenClHalfBuf of(HalfBuf b, OpenClContext ctx) {
        if (b instanceof OpenClHalfBuf o && o.backend.ctx == ctx) {
            return o;
        }
        throw new IllegalArgumentException("a " + (b == null ? "null" : b.getClass().getSimpleName())
                + " buffer was passed to an opencl kernel; buffers must come from the same backend (Kernels.allocHalf)");
    }

    @Override
    public int size() {
        return len;
    }

    @Override
    public void writeRounded(int dstOff, FloatBuf src, int srcOff, int n) {
        backend.writeHalf(this, dstOff, src, srcOff, n);
    }

    @Override
    public void copyFrom(HalfBuf src, int srcOff, int dstOff, int n) {
        OpenClHalfBuf s = of(src, backend.ctx);
        Objects.checkFromIndexSize(srcOff, n, s.len);
        Objects.checkFromIndexSize(dstOff, n, len);
        backend.ctx.copy(s.mem, 2L * srcOff, mem, 2L * dstOff, 2L * n);
    }

    @Override
    public void read(int srcOff, float[] dst, int dstOff, int n) {
        Objects.checkFromIndexSize(srcOff, n, len);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        if (n == 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ValueLayout.JAVA_SHORT, n);
            backend.ctx.read(mem, 2L * srcOff, h);
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = Float.float16ToFloat(h.getAtIndex(ValueLayout.JAVA_SHORT, i));
            }
        }
    }

    @Override
    public String toString() {
        return "OpenClHalfBuf[" + len + "]";
    }
}
