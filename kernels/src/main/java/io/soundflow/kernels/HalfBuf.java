package io.soundflow.kernels;

/**
 * A float16 (IEEE binary16) buffer owned by a {@link Kernels} backend ({@link Kernels#allocHalf}): KV cache
 * storage at half the memory of a {@link FloatBuf}. Floats are rounded to the nearest float16 (ties to
 * even, as {@link Float#floatToFloat16}) when written and widened exactly when read.
 */
public interface HalfBuf {

    /** The largest finite float16, 65504. */
    float MAX_VALUE = 65504f;

    /** Number of values in this buffer. */
    int size();

    /**
     * Rounds {@code n} floats of {@code src} from {@code srcOff} to float16 and stores them at {@code dstOff}
     * (same backend).
     *
     * @throws ArithmeticException when a finite value is beyond the float16 range (|x| rounds past
     *                             {@link #MAX_VALUE}); nothing is written then
     */
    void writeRounded(int dstOff, FloatBuf src, int srcOff, int n);

    /** Copies {@code n} values from {@code src[srcOff..]} to this buffer at {@code dstOff} (same backend). */
    void copyFrom(HalfBuf src, int srcOff, int dstOff, int n);

    /** Widens {@code n} values of this buffer from {@code srcOff} into {@code dst[dstOff..]}. */
    void read(int srcOff, float[] dst, int dstOff, int n);
}
