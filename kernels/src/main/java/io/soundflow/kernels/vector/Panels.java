package io.soundflow.kernels.vector;

import io.soundflow.kernels.KernelPool;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The vector backend's matmul layout (512-bit only), made once by {@link VectorKernels#upload(WeightMatrix)}
 * and read by {@link PanelGemm}: the rows are cut into panels of {@link #NR} = 32 output rows, a panel into
 * blocks of {@link #KB} = 32 columns, and a block stores column after column, each column holding its 32
 * rows' values side by side: one or two vector loads give one column of the panel for all 32 rows, which
 * the kernel multiplies by one activation broadcast (an outer product, no horizontal sums).
 *
 * <p>Per block, by format (the last panel's missing rows and the columns past {@code cols} are zeros):
 * <ul>
 *   <li>BF16: 32 columns of 16 int32 lanes, lane {@code l} holding row {@code l} in its low half and row
 *       {@code l + 16} in its high half (2048 bytes): one shift or one and gives 16 rows as floats.</li>
 *   <li>Q8_0: the 32 rows' block scales as float32, then 32 columns of the 32 rows' int8 values (1152 bytes).</li>
 *   <li>Q4_0: the 32 scales as float32, then 32 columns of 16 bytes, byte {@code j} holding row {@code j}
 *       in its low nibble and row {@code j + 16} in its high nibble, as stored (value + 8) (640 bytes).</li>
 * </ul>
 * F32 and F16 matrices get no panels (their matmul reads the stored rows: an F32 copy would double the
 * F32 Audio-Interaction release's 13.6 GB, which the matvec reads as stored), nor does any matrix with
 * {@code -Dsoundflow.panels=false}. The values are the stored ones, scales
 * converted from float16 exactly, so a panel product equals the stored row's product up to summation order.
 */
final class Panels {
    private Panels() {
    }

    /** Rows per panel (two 512-bit float vectors). */
    static final int NR = 32;
    /** Columns per block (one Q8_0/Q4_0 block). */
    static final int KB = 32;

    /** Turns the panels off ({@code -Dsoundflow.panels=false}): less memory, the row-tile matmul. */
    static final String PROPERTY = "soundflow.panels";

    /** Bytes one block of {@code f} takes, or 0 when {@code f} has no panel layout. */
    static int blockBytes(WeightFormat f) {
        return switch (f) {
            case BF16 -> 2048;
            case Q8_0 -> 1152;
            case Q4_0 -> 640;
            case F32, F16 -> 0;
        };
    }

    static int panels(int rows) {
        return (rows + NR - 1) / NR;
    }

    static int blocks(int cols) {
        return (cols + KB - 1) / KB;
    }

    static long panelBytes(WeightFormat f, int cols) {
        return (long) blocks(cols) * blockBytes(f);
    }

    /** The panel copy of {@code w}, or null when its format has no panel layout. */
    static MemorySegment pack(WeightMatrix w) {
        WeightFormat f = w.format();
        if (blockBytes(f) == 0 || !Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return null;
        }
        int rows = w.rows(), cols = w.cols();
        long pb = panelBytes(f, cols);
        MemorySegment out = HugePages.allocate(pb * panels(rows)); // zeroed; freed with the last reference
        int rowBytes = Math.toIntExact(w.rowBytes());
        KernelPool.get().forRange(panels(rows), 1, (p0, p1) -> {
            byte[] src = new byte[rowBytes];
            byte[] dst = new byte[Math.toIntExact(pb)];
            for (int p = p0; p < p1; p++) {
                java.util.Arrays.fill(dst, (byte) 0);
                for (int j = 0; j < NR && p * NR + j < rows; j++) {
                    MemorySegment.copy(w.data(), ValueLayout.JAVA_BYTE, (long) (p * NR + j) * rowBytes, src, 0, rowBytes);
                    switch (f) {
                        case BF16 -> packBf16(src, cols, j, dst);
                        case Q8_0 -> packQ8(src, cols, j, dst);
                        case Q4_0 -> packQ4(src, cols, j, dst);
                        case F32, F16 -> throw new AssertionError(f);
                    }
                }
                MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, p * pb, dst.length);
            }
        });
        return out;
    }

    // row j of the panel, stored bytes in src, into the panel's bytes dst
    private static void packBf16(byte[] src, int cols, int j, byte[] dst) {
        int lane = 4 * (j & 15) + 2 * (j >>> 4);
        for (int c = 0; c < cols; c++) {
            int d = (c / KB) * 2048 + (c % KB) * 64 + lane;
            dst[d] = src[2 * c];
            dst[d + 1] = src[2 * c + 1];
        }
    }

    private static void packQ8(byte[] src, int cols, int j, byte[] dst) {
        for (int b = 0; b < cols / KB; b++) {
            int s = 34 * b, d = 1152 * b;
            putScale(src, s, dst, d + 4 * j);
            for (int k = 0; k < KB; k++) {
                dst[d + 128 + 32 * k + j] = src[s + 2 + k];
            }
        }
    }

    private static void packQ4(byte[] src, int cols, int j, byte[] dst) {
        int at = j & 15, shift = 4 * (j >>> 4);
        for (int b = 0; b < cols / KB; b++) {
            int s = 18 * b, d = 640 * b;
            putScale(src, s, dst, d + 4 * j);
            for (int k = 0; k < KB; k++) {
                int q = k < 16 ? src[s + 2 + k] & 0x0F : (src[s + 2 + k - 16] >>> 4) & 0x0F; // stored: value k low, k + 16 high
                dst[d + 128 + 16 * k + at] |= (byte) (q << shift);
            }
        }
    }

    /** The float16 scale at src[s ..] as little-endian float32 bits at dst[d ..]. */
    private static void putScale(byte[] src, int s, byte[] dst, int d) {
        int bits = Float.floatToRawIntBits(Packed.scale(src, s));
        dst[d] = (byte) bits;
        dst[d + 1] = (byte) (bits >>> 8);
        dst[d + 2] = (byte) (bits >>> 16);
        dst[d + 3] = (byte) (bits >>> 24);
    }
}
