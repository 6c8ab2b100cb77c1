package io.soundflow.kernels.vector;

import io.soundflow.kernels.KernelPool;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;

import java.lang.foreign.Arena;
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
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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
        MemorySegment out = Arena.ofAuto().allocate(prb * w.rows(), 64);
        int rows = w.rows();
        KernelPool.get().forRange(rows, 64, (r0, r1) -> {
            int[] lanes = new int[16];
            for (int r = r0; r < r1; r++) {
                long src = r * w.rowBytes(), dst = r * prb;
                for (int g = 0; g < groups; g++) {
                    if (f == WeightFormat.Q4_0) {
                        packQ4(w.data(), src, g, lanes, out, dst + (long) Q4_GROUP_BYTES * g);
                    } else {
                        packQ8(w.data(), src, g, lanes, out, dst + (long) Q8_GROUP_BYTES * g);
                    }
                }
            }
        });
        return out;
    }

    private static void packQ4(MemorySegment data, long row, int g, int[] lanes, MemorySegment out, long at) {
        java.util.Arrays.fill(lanes, 0);
        for (int c = 0; c < Q4_GROUP; c++) {
            int col = Q4_GROUP * g + c, j = col & 31;
            long blk = row + 18L * (col >>> 5);
            int b = data.get(ValueLayout.JAVA_BYTE, blk + 2 + (j & 15)) & 0xFF;
            int nibble = j < 16 ? b & 0x0F : b >>> 4;
            lanes[c & 15] |= nibble << (4 * (c >>> 4));
        }
        for (int l = 0; l < 16; l++) {
            out.set(I32, at + 4L * l, lanes[l]);
        }
        for (int k = 0; k < 4; k++) {
            long blk = row + 18L * (4L * g + k);
            out.set(F32, at + 64 + 4L * k, Float.float16ToFloat(data.get(I16, blk)));
        }
    }

    private static void packQ8(MemorySegment data, long row, int g, int[] lanes, MemorySegment out, long at) {
        java.util.Arrays.fill(lanes, 0);
        for (int c = 0; c < Q8_GROUP; c++) {
            int col = Q8_GROUP * g + c;
            long blk = row + 34L * (col >>> 5);
            int u = data.get(ValueLayout.JAVA_BYTE, blk + 2 + (col & 31)) + 128;
            lanes[c & 15] |= u << (8 * (c >>> 4));
        }
        for (int l = 0; l < 16; l++) {
            out.set(I32, at + 4L * l, lanes[l]);
        }
        for (int k = 0; k < 2; k++) {
            long blk = row + 34L * (2L * g + k);
            out.set(F32, at + 64 + 4L * k, Float.float16ToFloat(data.get(I16, blk)));
        }
    }
}
