package io.soundflow.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Load-time conversion of weights to the llama.cpp block formats Q8_0 and Q4_0 (and to F32/F16/BF16),
 * computed as llama.cpp's reference quantizers do: Q8_0 scale = amax / 127, values rounded to nearest;
 * Q4_0 scale = (the value of largest magnitude) / -8, values (x / d + 8.5) truncated and clamped to 15.
 */
public final class Quantizer {
    private Quantizer() {
    }

    /** Converts {@code src} (any format) to {@code target}, allocating in {@code arena}. */
    public static WeightMatrix convert(WeightMatrix src, WeightFormat target, Arena arena) {
        if (src.format() == target) {
            return src;
        }
        MemorySegment dst = arena.allocate(target.matrixBytes(src.rows(), src.cols()), 16);
        float[] row = new float[src.cols()];
        long rowBytes = target.rowBytes(src.cols());
        for (int r = 0; r < src.rows(); r++) {
            src.dequantizeRow(r, row, 0);
            encodeRow(target, row, dst, r * rowBytes);
        }
        return new WeightMatrix(src.name(), target, src.rows(), src.cols(), dst);
    }

    /** Converts a float32 [rows, cols] array. */
    public static WeightMatrix fromFloats(String name, float[] values, int rows, int cols, WeightFormat target, Arena arena) {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for [" + rows + ", " + cols + "]");
        }
        MemorySegment dst = arena.allocate(target.matrixBytes(rows, cols), 16);
        float[] row = new float[cols];
        long rowBytes = target.rowBytes(cols);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * cols, row, 0, cols);
            encodeRow(target, row, dst, r * rowBytes);
        }
        return new WeightMatrix(name, target, rows, cols, dst);
    }

    /** Encodes one row of float32 values at byte offset {@code at} of {@code dst}. */
    public static void encodeRow(WeightFormat f, float[] row, MemorySegment dst, long at) {
        int cols = row.length;
        switch (f) {
            case F32 -> MemorySegment.copy(row, 0, dst, WeightMatrix.F32, at, cols);
            case F16 -> {
                for (int c = 0; c < cols; c++) {
                    dst.set(WeightMatrix.I16, at + 2L * c, Float.floatToFloat16(row[c]));
                }
            }
            case BF16 -> {
                for (int c = 0; c < cols; c++) {
                    dst.set(WeightMatrix.I16, at + 2L * c, WeightMatrix.floatToBf16(row[c]));
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long blk = at + 34L * b;
                    float amax = 0f;
                    for (int j = 0; j < 32; j++) {
                        amax = Math.max(amax, Math.abs(row[32 * b + j]));
                    }
                    float d = amax / 127f;
                    float id = d != 0f ? 1f / d : 0f;
                    dst.set(WeightMatrix.I16, blk, Float.floatToFloat16(d));
                    for (int j = 0; j < 32; j++) {
                        dst.set(ValueLayout.JAVA_BYTE, blk + 2 + j, (byte) Math.round(row[32 * b + j] * id));
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long blk = at + 18L * b;
                    float amax = 0f, max = 0f;
                    for (int j = 0; j < 32; j++) {
                        float v = row[32 * b + j];
                        if (Math.abs(v) > amax) {
                            amax = Math.abs(v);
                            max = v;
                        }
                    }
                    float d = max / -8f;
                    float id = d != 0f ? 1f / d : 0f;
                    dst.set(WeightMatrix.I16, blk, Float.floatToFloat16(d));
                    for (int j = 0; j < 16; j++) {
                        int q0 = Math.min(15, (int) (row[32 * b + j] * id + 8.5f));
                        int q1 = Math.min(15, (int) (row[32 * b + j + 16] * id + 8.5f));
                        dst.set(ValueLayout.JAVA_BYTE, blk + 2 + j, (byte) (q0 | (q1 << 4)));
                    }
                }
            }
        }
    }
}
