package io.soundflow.bench.kernels;

import io.soundflow.kernels.KernelPool;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Random weight matrices written directly off-heap in their stored format (no float32 copy of the
 * whole matrix, so the 151936 x 2048 lm_head fits in any heap): values of magnitude about 0.01-0.1,
 * quantized blocks with random quants and a small f16 scale.
 */
public final class BenchWeights {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BenchWeights() {
    }

    /** A [rows, cols] matrix of format f allocated in arena (filled in parallel). */
    public static WeightMatrix random(WeightFormat f, int rows, int cols, Arena arena, long seed) {
        MemorySegment seg = arena.allocate(f.matrixBytes(rows, cols), 64);
        long rb = f.rowBytes(cols);
        KernelPool.get().forRange(rows, 64, (r0, r1) -> {
            long s = seed ^ (0x9E3779B97F4A7C15L * (r0 + 1));
            for (int r = r0; r < r1; r++) {
                long base = r * rb;
                if (f == WeightFormat.F32) {
                    for (int c = 0; c < cols; c++) {
                        s = next(s);
                        seg.set(F32, base + 4L * c, value(s));
                    }
                } else if (f == WeightFormat.BF16) {
                    for (int c = 0; c < cols; c++) {
                        s = next(s);
                        seg.set(I16, base + 2L * c, (short) (Float.floatToRawIntBits(value(s)) >>> 16));
                    }
                } else if (f == WeightFormat.F16) {
                    for (int c = 0; c < cols; c++) {
                        s = next(s);
                        seg.set(I16, base + 2L * c, Float.floatToFloat16(value(s)));
                    }
                } else {
                    int blocks = cols / 32, bytes = f.blockBytes;
                    for (int b = 0; b < blocks; b++) {
                        long at = base + (long) bytes * b;
                        s = next(s);
                        seg.set(I16, at, Float.floatToFloat16(0.001f + (s >>> 40) * 0x1p-24f * 0.002f));
                        for (int j = 2; j < bytes; j++) {
                            s = next(s);
                            seg.set(ValueLayout.JAVA_BYTE, at + j, (byte) s);
                        }
                    }
                }
            }
        });
        return new WeightMatrix("bench " + rows + "x" + cols, f, rows, cols, seg);
    }

    private static long next(long s) {
        s ^= s << 13;
        s ^= s >>> 7;
        s ^= s << 17;
        return s;
    }

    /** A value in about (-0.1, 0.1) from random bits. */
    private static float value(long s) {
        return ((s >>> 40) * 0x1p-24f - 0.5f) * 0.2f;
    }

    /** n floats uniform in [-1, 1). */
    public static float[] activations(int n, long seed) {
        float[] a = new float[n];
        long s = seed | 1;
        for (int i = 0; i < n; i++) {
            s = next(s);
            a[i] = (s >>> 40) * 0x1p-23f - 1f;
        }
        return a;
    }
}
