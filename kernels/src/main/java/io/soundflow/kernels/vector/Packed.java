package io.soundflow.kernels.vector;

import io.soundflow.kernels.KernelPool;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The vector backend's decode layout of Q8_0 and Q4_0 matrices, made once by
 * {@link VectorKernels#upload(WeightMatrix)} and read by the matvec (the per-token step).
 *
 * <p>Each row is cut into groups of whole blocks that one 64-byte read covers:
 * <ul>
 *   <li>Q4_0: 128 values (4 blocks) in 80 bytes: 16 little-endian int32 lanes, nibble {@code j} (bits
 *       {@code 4j .. 4j + 3}) of lane {@code l} holding value {@code 16 j + l} of the group as stored
 *       (the unsigned nibble, value + 8), then the 4 block scales as float32.</li>
 *   <li>Q8_0: 64 values (2 blocks) in 72 bytes: 16 int32 lanes, byte {@code j} of lane {@code l} holding
 *       value {@code 16 j + l} as the unsigned byte {@code q + 128}, then the 2 block scales as float32.</li>
 * </ul>
 * A kernel turns field {@code j} of every lane into floats with one shift, one and/or and one
 * subtraction: the field placed under the exponent of 2^23 reads as {@code 2^23 + u}, and subtracting
 * {@code 2^23 + bias} leaves {@code u - bias} exactly. No lane crosses another (the stored layout needs
 * a widening shuffle per 16 values), the values meet the activations in order ({@code x[16 j .. 16 j + 16)}),
 * and the scales need no float16 conversion. The blocks after a row's last whole group (rows of fewer
 * or odd blocks) are read from the stored layout. The copy costs 80/72 (Q4_0) and 72/68 (Q8_0) of the
 * stored bytes; the stored matrix stays the source of truth for every other kernel.
 */
final class Packed {
    private Packed() {
    }

    static final int Q4_GROUP = 128;
    static final int Q4_GROUP_BYTES = 80;
    static final int Q8_GROUP = 64;
    static final int Q8_GROUP_BYTES = 72;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Values a group of {@code f} holds (0 for the formats read as stored). */
    static int groupValues(WeightFormat f) {
        return f == WeightFormat.Q4_0 ? Q4_GROUP : f == WeightFormat.Q8_0 ? Q8_GROUP : 0;
    }

    static int groupBytes(WeightFormat f) {
        return f == WeightFormat.Q4_0 ? Q4_GROUP_BYTES : Q8_GROUP_BYTES;
    }

    /** Whole groups in a row of {@code cols} values. */
    static int groups(WeightFormat f, int cols) {
        int g = groupValues(f);
        return g == 0 ? 0 : cols / g;
    }

    /** The packed copy of {@code w}, or null when its format is read as stored or a row holds no whole group. */
    static MemorySegment pack(WeightMatrix w) {
        WeightFormat f = w.format();
        int groups = groups(f, w.cols());
        if (groups == 0) {
            return null;
        }
        long prb = (long) groups * groupBytes(f);
        // freed with the last reference to it (the model that holds the matrix)
        MemorySegment out = HugePages.allocate(prb * w.rows());
        int rows = w.rows();
        boolean q4 = f == WeightFormat.Q4_0;
        int rowBytes = Math.toIntExact(w.rowBytes()), words = Math.toIntExact(prb / 4);
        KernelPool.get().forRange(rows, 16, (r0, r1) -> {
            byte[] src = new byte[rowBytes];
            int[] dst = new int[words];
            for (int r = r0; r < r1; r++) {
                MemorySegment.copy(w.data(), ValueLayout.JAVA_BYTE, r * w.rowBytes(), src, 0, rowBytes);
                java.util.Arrays.fill(dst, 0);
                for (int g = 0; g < groups; g++) {
                    if (q4) {
                        packQ4(src, g, dst, g * (Q4_GROUP_BYTES / 4));
                    } else {
                        packQ8(src, g, dst, g * (Q8_GROUP_BYTES / 4));
                    }
                }
                MemorySegment.copy(dst, 0, out, I32, r * prb, words);
            }
        });
        return out;
    }

    /** The float16 block scale at row[at ..] of a stored row. */
    static float scale(byte[] row, int at) {
        return Float.float16ToFloat((short) ((row[at] & 0xFF) | row[at + 1] << 8));
    }

    /** Group g of a stored Q4_0 row into dst[d ..]: 16 lanes, then 4 scales (as float bits). */
    private static void packQ4(byte[] row, int g, int[] dst, int d) {
        for (int k = 0; k < 4; k++) {
            int blk = 18 * (4 * g + k);
            for (int j = 0; j < 16; j++) {
                int b = row[blk + 2 + j] & 0xFF;
                // value 32k + j (low nibble) and 32k + 16 + j (high nibble) of the group: c = 16 * field + lane
                int lo = 32 * k + j, hi = lo + 16;
                dst[d + (lo & 15)] |= (b & 0x0F) << (4 * (lo >>> 4));
                dst[d + (hi & 15)] |= (b >>> 4) << (4 * (hi >>> 4));
            }
            dst[d + 16 + k] = Float.floatToRawIntBits(scale(row, blk));
        }
    }

    /** Group g of a stored Q8_0 row into dst[d ..]: 16 lanes of q + 128, then 2 scales. */
    private static void packQ8(byte[] row, int g, int[] dst, int d) {
        for (int k = 0; k < 2; k++) {
            int blk = 34 * (2 * g + k);
            for (int j = 0; j < 32; j++) {
                int c = 32 * k + j;
                dst[d + (c & 15)] |= (row[blk + 2 + j] + 128) << (8 * (c >>> 4));
            }
            dst[d + 16 + k] = Float.floatToRawIntBits(scale(row, blk));
        }
    }
}
