package io.soundflow.kernels;

/**
 * Storage format of a weight matrix row. Quantized formats use llama.cpp's block layouts:
 * 32 values per block with a float16 scale {@code d} first.
 * <ul>
 *   <li>{@code Q8_0}: {@code d} (2 bytes) + 32 signed bytes {@code q}; value = q * d (34 bytes a block).</li>
 *   <li>{@code Q4_0}: {@code d} (2 bytes) + 16 bytes; byte j holds value j in its low nibble and
 *       value j + 16 in its high nibble; value = (nibble - 8) * d (18 bytes a block).</li>
 * </ul>
 */
public enum WeightFormat {
    F32(1, 4),
    F16(1, 2),
    BF16(1, 2),
    Q8_0(32, 34),
    Q4_0(32, 18);

    /** Number of values a block holds (1 for the plain float formats). */
    public final int blockValues;
    /** Number of bytes a block takes. */
    public final int blockBytes;

    WeightFormat(int blockValues, int blockBytes) {
        this.blockValues = blockValues;
        this.blockBytes = blockBytes;
    }

    public boolean isQuantized() {
        return blockValues > 1;
    }

    /** Bytes one row of {@code cols} values takes; throws if cols does not fill whole blocks. */
    public long rowBytes(int cols) {
        if (cols % blockValues != 0) {
            throw new IllegalArgumentException(this + " needs a row length that is a multiple of "
                    + blockValues + ", got " + cols);
        }
        return (long) (cols / blockValues) * blockBytes;
    }

    /** Bytes a [rows, cols] matrix takes. */
    public long matrixBytes(int rows, int cols) {
        return rowBytes(cols) * rows;
    }
}
