package io.soundflow.kernels;

import java.util.Objects;

/** The CPU backends' {@link HalfBuf}: float16 bit patterns in a Java short array. */
public final class HeapHalfBuf implements HalfBuf {
    /** Backing storage (float16 bit patterns); kernels index it from 0. */
    public final short[] a;

    public HeapHalfBuf(int size) {
        this.a = new short[size];
    }

    /** The CPU view of a buffer; fails clearly when a buffer of another backend is passed. */
    public static HeapHalfBuf of(HalfBuf b) {
        if (b instanceof HeapHalfBuf h) {
            return h;
        }
        throw new IllegalArgumentException("a " + (b == null ? "null" : b.getClass().getSimpleName())
                + " buffer was passed to a CPU kernel; buffers must come from the same backend");
    }

    @Override
    public int size() {
        return a.length;
    }

    @Override
    public void writeRounded(int dstOff, FloatBuf src, int srcOff, int n) {
        HeapFloatBuf s = HeapFloatBuf.of(src);
        Objects.checkFromIndexSize(srcOff, n, s.len);
        Objects.checkFromIndexSize(dstOff, n, a.length);
        float[] f = s.a;
        int o = s.off + srcOff;
        for (int i = 0; i < n; i++) { // check first: nothing is written when a value overflows
            float x = f[o + i];
            if (Math.abs(x) > MAX_VALUE && Float.isFinite(x) && Float.isInfinite(Float.float16ToFloat(Float.floatToFloat16(x)))) {
                throw new ArithmeticException("value " + x + " at index " + (srcOff + i)
                        + " is beyond the float16 range (+-" + MAX_VALUE + ")");
            }
        }
        for (int i = 0; i < n; i++) {
            a[dstOff + i] = Float.floatToFloat16(f[o + i]);
        }
    }

    @Override
    public void copyFrom(HalfBuf src, int srcOff, int dstOff, int n) {
        HeapHalfBuf s = of(src);
        Objects.checkFromIndexSize(srcOff, n, s.a.length);
        Objects.checkFromIndexSize(dstOff, n, a.length);
        System.arraycopy(s.a, srcOff, a, dstOff, n);
    }

    @Override
    public void read(int srcOff, float[] dst, int dstOff, int n) {
        Objects.checkFromIndexSize(srcOff, n, a.length);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(a[srcOff + i]);
        }
    }

    @Override
    public String toString() {
        return "HeapHalfBuf[" + a.length + "]";
    }
}
