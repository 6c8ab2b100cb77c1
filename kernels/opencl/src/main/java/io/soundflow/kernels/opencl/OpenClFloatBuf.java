package io.soundflow.kernels.opencl;

import io.soundflow.kernels.FloatBuf;

import java.util.Objects;

/**
 * The opencl backend's {@link FloatBuf}: the floats {@code [off, off + len)} of a device buffer. {@link #write}
 * and {@link #read} are blocking copies (a read sees every operation enqueued before it); {@link #fill} and
 * {@link #copyFrom} are enqueued.
 */
final class OpenClFloatBuf implements FloatBuf {
    final OpenClContext ctx;
    final OpenClContext.Mem mem;
    final int off;
    final int len;

    OpenClFloatBuf(OpenClContext ctx, OpenClContext.Mem mem, int off, int len) {
        this.ctx = ctx;
        this.mem = mem;
        this.off = off;
        this.len = len;
    }

    /** The device view of a buffer; fails clearly when a buffer of another backend (or device) is passed. */
    static OpenClFloatBuf of(FloatBuf b, OpenClContext ctx) {
        if (b instanceof OpenClFloatBuf o && o.ctx == ctx) {
            return o;
        }
        throw new IllegalArgumentException("a " + (b == null ? "null" : b.getClass().getSimpleName())
                + " buffer was passed to an opencl kernel; buffers must come from the same backend (Kernels.alloc)");
    }

    @Override
    public int size() {
        return len;
    }

    @Override
    public OpenClFloatBuf slice(int offset, int length) {
        Objects.checkFromIndexSize(offset, length, len);
        return new OpenClFloatBuf(ctx, mem, off + offset, length);
    }

    @Override
    public void write(int dstOff, float[] src, int srcOff, int n) {
        Objects.checkFromIndexSize(dstOff, n, len);
        Objects.checkFromIndexSize(srcOff, n, src.length);
        if (n > 0) {
            ctx.write(mem, 4L * (off + dstOff), src, srcOff, n);
        }
    }

    @Override
    public void read(int srcOff, float[] dst, int dstOff, int n) {
        Objects.checkFromIndexSize(srcOff, n, len);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        if (n > 0) {
            ctx.read(mem, 4L * (off + srcOff), dst, dstOff, n);
        }
    }

    @Override
    public void fill(float v) {
        ctx.fill(mem, 4L * off, 4L * len, Float.floatToRawIntBits(v));
    }

    @Override
    public void copyFrom(FloatBuf src, int srcOff, int dstOff, int n) {
        OpenClFloatBuf s = of(src, ctx);
        Objects.checkFromIndexSize(srcOff, n, s.len);
        Objects.checkFromIndexSize(dstOff, n, len);
        ctx.copy(s.mem, 4L * (s.off + srcOff), mem, 4L * (off + dstOff), 4L * n);
    }

    @Override
    public String toString() {
        return "OpenClFloatBuf[" + len + "]";
    }
}
