package io.soundflow.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A weight matrix of shape [rows, cols] (row-major, rows = output features, cols = input features),
 * stored in {@link #format()} inside an off-heap (typically memory-mapped) segment, little-endian.
 * The segment is never copied to the heap; kernels read it in place.
 *
 * <p>A backend may keep its own copies of the same values in layouts its kernels read faster, made by
 * {@link Kernels#upload(WeightMatrix)}: {@link #packed()} for its matvec (the per-token step) and
 * {@link #panels()} for its matmul (blocks of rows). The {@code vector} backend repacks Q8_0 and Q4_0 rows
 * for its decode kernels and, at 512 bits, BF16, Q8_0 and Q4_0 into column-major panels of 32 rows for its
 * matmul. {@code data} stays the source of truth; every other reader ignores the copies.
 *
 * @param name a label for error messages (the checkpoint tensor name)
 * @param packed a backend's repacked copy for its matvec, in that backend's layout; null when none
 * @param panels a backend's repacked copy for its matmul, in that backend's layout; null when none
 */
public record WeightMatrix(String name, WeightFormat format, int rows, int cols, MemorySegment data,
                           MemorySegment packed, MemorySegment panels) {

    /** A matrix read as stored (no backend copy). */
    public WeightMatrix(String name, WeightFormat format, int rows, int cols, MemorySegment data) {
        this(name, format, rows, cols, data, null, null);
    }

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public WeightMatrix {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(name + ": bad shape [" + rows + ", " + cols + "]");
        }
        long need = format.matrixBytes(rows, cols);
        if (data.byteSize() != need) {
            throw new IllegalArgumentException(name + ": " + format + " [" + rows + ", " + cols + "] needs "
                    + need + " bytes, the segment has " + data.byteSize());
        }
    }

    /** This matrix with a backend's copies (see {@link #packed()} and {@link #panels()}; either may be null). */
    public WeightMatrix withCopies(MemorySegment packed, MemorySegment panels) {
        return new WeightMatrix(name, format, rows, cols, data, packed, panels);
    }

    /** Bytes one row takes. */
    public long rowBytes() {
        return format.rowBytes(cols);
    }

    /** Writes row {@code r} as float32 into {@code dst[dstOff .. dstOff + cols)}. */
    public void dequantizeRow(int r, float[] dst, int dstOff) {
        long base = r * rowBytes();
        switch (format) {
            case F32 -> MemorySegment.copy(data, F32, base, dst, dstOff, cols);
            case F16 -> {
                for (int c = 0; c < cols; c++) {
                    dst[dstOff + c] = Float.float16ToFloat(data.get(I16, base + 2L * c));
                }
            }
            case BF16 -> {
                for (int c = 0; c < cols; c++) {
                    dst[dstOff + c] = bf16ToFloat(data.get(I16, base + 2L * c));
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long blk = base + 34L * b;
                    float d = Float.float16ToFloat(data.get(I16, blk));
                    for (int j = 0; j < 32; j++) {
                        dst[dstOff + 32 * b + j] = data.get(ValueLayout.JAVA_BYTE, blk + 2 + j) * d;
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long blk = base + 18L * b;
                    float d = Float.float16ToFloat(data.get(I16, blk));
                    for (int j = 0; j < 16; j++) {
                        int q = data.get(ValueLayout.JAVA_BYTE, blk + 2 + j) & 0xFF;
                        dst[dstOff + 32 * b + j] = ((q & 0x0F) - 8) * d;
                        dst[dstOff + 32 * b + j + 16] = ((q >>> 4) - 8) * d;
                    }
                }
            }
        }
    }

    /** The whole matrix as float32 (for tests and small tensors only). */
    public float[] toFloatArray() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            dequantizeRow(r, out, r * cols);
        }
        return out;
    }

    /** bfloat16 bits to float32 (exact). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float32 to bfloat16 bits, round to nearest even (as PyTorch does). */
    public static short floatToBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((x >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((x >>> 16) & 1);
        return (short) ((x + rounding) >>> 16);
    }
}
