package io.soundflow.kernels;

/**
 * A float32 buffer owned by a {@link Kernels} backend (activations, an f32 KV cache, norm weights; an f16
 * KV cache is a {@link HalfBuf}).
 * Model code moves data in and out only through {@link #write} and {@link #read}, so a GPU backend can
 * keep a whole forward pass on the device. Views made by {@link #slice} share the storage.
 */
public interface FloatBuf {

    /** Number of floats in this view. */
    int size();

    /** A view of {@code [offset, offset + length)} of this buffer. */
    FloatBuf slice(int offset, int length);

    /** Copies {@code n} floats from {@code src[srcOff..]} into this buffer at {@code dstOff}. */
    void write(int dstOff, float[] src, int srcOff, int n);

    /** Copies {@code n} floats from this buffer at {@code srcOff} into {@code dst[dstOff..]}. */
    void read(int srcOff, float[] dst, int dstOff, int n);

    /** Sets every element of this view to {@code v}. */
    void fill(float v);

    /** Copies {@code n} floats from {@code src[srcOff..]} to this buffer at {@code dstOff} (same backend). */
    void copyFrom(FloatBuf src, int srcOff, int dstOff, int n);

    /** Convenience: the whole view as a new array. */
    default float[] toArray() {
        float[] a = new float[size()];
        read(0, a, 0, a.length);
        return a;
    }

    /** Convenience: writes the whole array at offset 0. */
    default FloatBuf write(float[] src) {
        write(0, src, 0, src.length);
        return this;
    }
}
