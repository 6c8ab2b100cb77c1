package io.soundflow.kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * The CPU backends' {@link FloatBuf}: a window {@code [off, off + len)} of a Java float array
 * (the JVM reads heap arrays as fast as C; weights, the big data, stay off-heap).
 */
public final class HeapFloatBuf implements FloatBuf {
    /** Backing storage; kernels index it as {@code a[off + i]}. */
    public final float[] a;
    public final int off;
    public final int len;

    public HeapFloatBuf(float[] a, int off, int len) {
        Objects.checkFromIndexSize(off, len, a.length);
        this.a = a;
        this.off = off;
        this.len = len;
    }

    public HeapFloatBuf(int size) {
        this(new float[size], 0, size);
    }

    /** The CPU view of a buffer; fails clearly when a buffer of another backend is passed. */
    public static HeapFloatBuf of(FloatBuf b) {
        if (b instanceof HeapFloatBuf h) {
            return h;
        }
        throw new IllegalArgumentException("a " + (b == null ? "null" : b.getClass().getSimpleName())
                + " buffer was passed to a CPU kernel; buffers must come from the same backend");
    }

    @Override
    public int size() {
        return len;
    }

    @Override
    public HeapFloatBuf slice(int offset, int length) {
        Objects.checkFromIndexSize(offset, length, len);
        return new HeapFloatBuf(a, off + offset, length);
    }

    @Override
    public void write(int dstOff, float[] src, int srcOff, int n) {
        Objects.checkFromIndexSize(dstOff, n, len);
        System.arraycopy(src, srcOff, a, off + dstOff, n);
    }

    @Override
    public void read(int srcOff, float[] dst, int dstOff, int n) {
        Objects.checkFromIndexSize(srcOff, n, len);
        System.arraycopy(a, off + srcOff, dst, dstOff, n);
    }

    @Override
    public void fill(float v) {
        Arrays.fill(a, off, off + len, v);
    }

    @Override
    public void copyFrom(FloatBuf src, int srcOff, int dstOff, int n) {
        HeapFloatBuf s = of(src);
        Objects.checkFromIndexSize(srcOff, n, s.len);
        Objects.checkFromIndexSize(dstOff, n, len);
        System.arraycopy(s.a, s.off + srcOff, a, off + dstOff, n);
    }

    @Override
    public String toString() {
        return "HeapFloatBuf[" + len + "]";
    }
}
