package io.soundflow.kernels.vector;

import io.soundflow.kernels.KernelPool;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2I;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;

/**
 * The 512-bit matmul over {@link Panels} (out[i] = W . x[i] for n > 1 rows of x): an outer-product
 * micro-kernel. Per panel of 32 weight rows and per slice of {@link #KC} columns, the slice is decoded once
 * into float32 (scales applied) in an L1-sized scratch; then every tile of up to 13 activation rows passes
 * over it, each column costing two vector loads of 32 rows' weights, one broadcast per activation row
 * (from x transposed once per call, so a column's activations sit side by side) and two FMAs per row into
 * 26 accumulators that stay in registers for the whole slice. No horizontal sums, weights converted once
 * per call whatever n is, and the panel's accumulators live in a per-thread scratch between slices.
 * Exactly 13 rows (one listening block) skip the scratch: {@link #fused13} decodes each column in
 * registers as it reads it and keeps the accumulators in registers over the whole panel
 * ({@code GemmProbe}, Q8_0 [11008 x 2048] by 13 rows on two threads: 38% of the FMA peak through the
 * scratch, 47-52% fused; {@code bench forward} prefill13 Q8_0 516 against 449 ms, side by side).
 *
 * <p>Against the row tiles of {@link MatmulOps} (4 weight rows . 3 activation rows, reduced per tile), a
 * standalone probe of this loop read 2.2-2.5x the GFLOP/s on one thread (F32 [2048 x 2048] by 12 rows:
 * 83-88 against 35-43 GFLOP/s from L2, 66-75 against 30 from memory); in {@code GemmProbe} on two threads,
 * the uploaded Q8_0/Q4_0/BF16 matrices ran 1.0-2.3x the stored ones' GFLOP/s (most for 40-200 rows).
 */
final class PanelGemm {
    private PanelGemm() {
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int NR = Panels.NR;
    /** Columns per slice: the decoded slice is [KC, 32] floats = 16 KB, beside x's [KC, n] slice in L1/L2. */
    static final int KC = 128;
    /** Transposed x up to this many floats lives in the calling thread's scratch; a larger one is allocated. */
    private static final int XT_KEEP = 1 << 18;

    /** Whether this JVM's vectors can run the kernel (the panels are made only then). */
    static boolean supported(int bits) {
        return bits == 512 && F.length() == 16;
    }

    private static final class Scratch {
        final float[] wf = new float[KC * NR];
        float[] acc = new float[0];
        float[] xt = new float[0];
        float[] sums = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void matmul(WeightMatrix w, float[] x, int xo, int n, float[] out, int oo, float[] bias) {
        int rows = w.rows(), cols = w.cols();
        int padded = Panels.blocks(cols) * Panels.KB;
        // x transposed: xt[c * n + i] = x[i][c], zero past cols
        Scratch sc = SCRATCH.get();
        int need = padded * n;
        float[] xt;
        if (need <= XT_KEEP) {
            if (sc.xt.length < need) {
                sc.xt = new float[need];
            }
            xt = sc.xt;
        } else {
            xt = new float[need];
        }
        for (int i = 0; i < n; i++) {
            int src = xo + i * cols;
            for (int c = 0; c < cols; c++) {
                xt[c * n + i] = x[src + c];
            }
        }
        java.util.Arrays.fill(xt, cols * n, need, 0f);
        MemorySegment pk = w.panels();
        long pb = Panels.panelBytes(w.format(), cols);
        int format = w.format().ordinal(), bb = Panels.blockBytes(w.format());
        KernelPool.get().forRange(Panels.panels(rows), 1, (p0, p1) -> {
            Scratch s = SCRATCH.get();
            if (s.acc.length < n * NR) {
                s.acc = new float[n * NR];
            }
            for (int p = p0; p < p1; p++) {
                panel(format, bb, pk, p * pb, padded, xt, n, s);
                int r0 = p * NR, valid = Math.min(NR, rows - r0);
                for (int i = 0; i < n; i++) {
                    int o = oo + i * rows + r0;
                    for (int j = 0; j < valid; j++) {
                        out[o + j] = bias == null ? s.acc[i * NR + j] : s.acc[i * NR + j] + bias[r0 + j];
                    }
                }
            }
        });
    }

    private static final int FMT_BF16 = WeightFormat.BF16.ordinal(), FMT_Q8 = WeightFormat.Q8_0.ordinal();

    /** acc[i * 32 + j] = panel row j . x row i, for the panel at byte offset base. */
    private static void panel(int format, int bb, MemorySegment pk, long base, int padded, float[] xt, int n, Scratch s) {
        float[] acc = s.acc, wf = s.wf;
        if (n == FUSED) {
            fused13(format, bb, pk, base, padded / Panels.KB, xt, acc);
            return;
        }
        java.util.Arrays.fill(acc, 0, n * NR, 0f);
        for (int k0 = 0; k0 < padded; k0 += KC) {
            int kc = Math.min(KC, padded - k0);
            for (int b = 0; b < kc / Panels.KB; b++) {
                long at = base + (long) (k0 / Panels.KB + b) * bb;
                int d = b * Panels.KB * NR;
                if (format == FMT_Q8) {
                    decodeQ8(pk, at, wf, d);
                } else if (format == FMT_BF16) {
                    decodeBf16(pk, at, wf, d);
                } else {
                    decodeQ4(pk, at, wf, d);
                }
            }
            int i = 0, x0 = k0 * n;
            if (n % 10 == 0 && n < 52) { // 20 (an encoder chunk's frames), 30, 40 (a window's): tiles of 10
                for (; i < n; i += 10) {
                    tile10(wf, kc, xt, x0 + i, n, acc, i * NR);
                }
            }
            for (; i + 13 <= n; i += 13) {
                tile13(wf, kc, xt, x0 + i, n, acc, i * NR);
            }
            if (i + 10 <= n) {
                tile10(wf, kc, xt, x0 + i, n, acc, i * NR);
                i += 10;
            } else if (i + 7 <= n) {
                tile7(wf, kc, xt, x0 + i, n, acc, i * NR);
                i += 7;
            }
            if (i + 4 <= n) {
                tile4(wf, kc, xt, x0 + i, n, acc, i * NR);
                i += 4;
            }
            for (; i < n; i++) {
                tile1(wf, kc, xt, x0 + i, n, acc, i * NR);
            }
        }
    }

    /** Rows of x for which {@link #fused13} replaces the slice scratch: one listening block. */
    static final int FUSED = 13;

    /**
     * acc[32 i + j] = panel row j . x row i for exactly 13 rows, by format: the panel's columns decoded in
     * registers as they are read (no scratch slice: with 13 rows a decoded column is used 26 times, which
     * does not pay for storing and reloading it) and the 26 accumulators held in registers over the whole
     * panel. One method per format, so that the JIT sees no format branch in the loop.
     */
    private static void fused13(int format, int bb, MemorySegment pk, long base, int blocks, float[] xt, float[] acc) {
        if (format == FMT_Q8) {
            fused13Q8(pk, base, blocks, bb, xt, acc);
        } else if (format == FMT_BF16) {
            fused13Bf16(pk, base, blocks, bb, xt, acc);
        } else {
            fused13Q4(pk, base, blocks, bb, xt, acc);
        }
    }

    /** {@link #fused13} for Q8_0. */
    private static void fused13Q8(MemorySegment pk, long base, int blocks, int bb, float[] xt, float[] acc) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00, c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00, cc0 = c00, cc1 = c00;
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * bb;
            FloatVector s0 = FloatVector.fromMemorySegment(F, pk, at, LE), s1 = FloatVector.fromMemorySegment(F, pk, at + 64, LE);
            for (int k = 0; k < Panels.KB; k++) {
                long q = at + 128 + 32L * k;
                FloatVector w0 = q8(pk, q).mul(s0);
                FloatVector w1 = q8(pk, q + 16).mul(s1);
                int xb = (b * Panels.KB + k) * FUSED;
                FloatVector x;
                x = FloatVector.broadcast(F, xt[xb]);
                c00 = w0.fma(x, c00);
                c01 = w1.fma(x, c01);
                x = FloatVector.broadcast(F, xt[xb + 1]);
                c10 = w0.fma(x, c10);
                c11 = w1.fma(x, c11);
                x = FloatVector.broadcast(F, xt[xb + 2]);
                c20 = w0.fma(x, c20);
                c21 = w1.fma(x, c21);
                x = FloatVector.broadcast(F, xt[xb + 3]);
                c30 = w0.fma(x, c30);
                c31 = w1.fma(x, c31);
                x = FloatVector.broadcast(F, xt[xb + 4]);
                c40 = w0.fma(x, c40);
                c41 = w1.fma(x, c41);
                x = FloatVector.broadcast(F, xt[xb + 5]);
                c50 = w0.fma(x, c50);
                c51 = w1.fma(x, c51);
                x = FloatVector.broadcast(F, xt[xb + 6]);
                c60 = w0.fma(x, c60);
                c61 = w1.fma(x, c61);
                x = FloatVector.broadcast(F, xt[xb + 7]);
                c70 = w0.fma(x, c70);
                c71 = w1.fma(x, c71);
                x = FloatVector.broadcast(F, xt[xb + 8]);
                c80 = w0.fma(x, c80);
                c81 = w1.fma(x, c81);
                x = FloatVector.broadcast(F, xt[xb + 9]);
                c90 = w0.fma(x, c90);
                c91 = w1.fma(x, c91);
                x = FloatVector.broadcast(F, xt[xb + 10]);
                ca0 = w0.fma(x, ca0);
                ca1 = w1.fma(x, ca1);
                x = FloatVector.broadcast(F, xt[xb + 11]);
                cb0 = w0.fma(x, cb0);
                cb1 = w1.fma(x, cb1);
                x = FloatVector.broadcast(F, xt[xb + 12]);
                cc0 = w0.fma(x, cc0);
                cc1 = w1.fma(x, cc1);
            }
        }
        c00.intoArray(acc, 0);
        c01.intoArray(acc, 16);
        c10.intoArray(acc, 32);
        c11.intoArray(acc, 48);
        c20.intoArray(acc, 64);
        c21.intoArray(acc, 80);
        c30.intoArray(acc, 96);
        c31.intoArray(acc, 112);
        c40.intoArray(acc, 128);
        c41.intoArray(acc, 144);
        c50.intoArray(acc, 160);
        c51.intoArray(acc, 176);
        c60.intoArray(acc, 192);
        c61.intoArray(acc, 208);
        c70.intoArray(acc, 224);
        c71.intoArray(acc, 240);
        c80.intoArray(acc, 256);
        c81.intoArray(acc, 272);
        c90.intoArray(acc, 288);
        c91.intoArray(acc, 304);
        ca0.intoArray(acc, 320);
        ca1.intoArray(acc, 336);
        cb0.intoArray(acc, 352);
        cb1.intoArray(acc, 368);
        cc0.intoArray(acc, 384);
        cc1.intoArray(acc, 400);
    }

    /** {@link #fused13} for BF16. */
    private static void fused13Bf16(MemorySegment pk, long base, int blocks, int bb, float[] xt, float[] acc) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00, c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00, cc0 = c00, cc1 = c00;
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * bb;
            for (int k = 0; k < Panels.KB; k++) {
                IntVector v = IntVector.fromMemorySegment(I, pk, at + 64L * k, LE);
                FloatVector w0 = bf16Lo(v), w1 = bf16Hi(v);
                int xb = (b * Panels.KB + k) * FUSED;
                FloatVector x;
                x = FloatVector.broadcast(F, xt[xb]);
                c00 = w0.fma(x, c00);
                c01 = w1.fma(x, c01);
                x = FloatVector.broadcast(F, xt[xb + 1]);
                c10 = w0.fma(x, c10);
                c11 = w1.fma(x, c11);
                x = FloatVector.broadcast(F, xt[xb + 2]);
                c20 = w0.fma(x, c20);
                c21 = w1.fma(x, c21);
                x = FloatVector.broadcast(F, xt[xb + 3]);
                c30 = w0.fma(x, c30);
                c31 = w1.fma(x, c31);
                x = FloatVector.broadcast(F, xt[xb + 4]);
                c40 = w0.fma(x, c40);
                c41 = w1.fma(x, c41);
                x = FloatVector.broadcast(F, xt[xb + 5]);
                c50 = w0.fma(x, c50);
                c51 = w1.fma(x, c51);
                x = FloatVector.broadcast(F, xt[xb + 6]);
                c60 = w0.fma(x, c60);
                c61 = w1.fma(x, c61);
                x = FloatVector.broadcast(F, xt[xb + 7]);
                c70 = w0.fma(x, c70);
                c71 = w1.fma(x, c71);
                x = FloatVector.broadcast(F, xt[xb + 8]);
                c80 = w0.fma(x, c80);
                c81 = w1.fma(x, c81);
                x = FloatVector.broadcast(F, xt[xb + 9]);
                c90 = w0.fma(x, c90);
                c91 = w1.fma(x, c91);
                x = FloatVector.broadcast(F, xt[xb + 10]);
                ca0 = w0.fma(x, ca0);
                ca1 = w1.fma(x, ca1);
                x = FloatVector.broadcast(F, xt[xb + 11]);
                cb0 = w0.fma(x, cb0);
                cb1 = w1.fma(x, cb1);
                x = FloatVector.broadcast(F, xt[xb + 12]);
                cc0 = w0.fma(x, cc0);
                cc1 = w1.fma(x, cc1);
            }
        }
        c00.intoArray(acc, 0);
        c01.intoArray(acc, 16);
        c10.intoArray(acc, 32);
        c11.intoArray(acc, 48);
        c20.intoArray(acc, 64);
        c21.intoArray(acc, 80);
        c30.intoArray(acc, 96);
        c31.intoArray(acc, 112);
        c40.intoArray(acc, 128);
        c41.intoArray(acc, 144);
        c50.intoArray(acc, 160);
        c51.intoArray(acc, 176);
        c60.intoArray(acc, 192);
        c61.intoArray(acc, 208);
        c70.intoArray(acc, 224);
        c71.intoArray(acc, 240);
        c80.intoArray(acc, 256);
        c81.intoArray(acc, 272);
        c90.intoArray(acc, 288);
        c91.intoArray(acc, 304);
        ca0.intoArray(acc, 320);
        ca1.intoArray(acc, 336);
        cb0.intoArray(acc, 352);
        cb1.intoArray(acc, 368);
        cc0.intoArray(acc, 384);
        cc1.intoArray(acc, 400);
    }

    /** {@link #fused13} for Q4_0. */
    private static void fused13Q4(MemorySegment pk, long base, int blocks, int bb, float[] xt, float[] acc) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00, c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00, cc0 = c00, cc1 = c00;
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * bb;
            FloatVector s0 = FloatVector.fromMemorySegment(F, pk, at, LE), s1 = FloatVector.fromMemorySegment(F, pk, at + 64, LE);
            for (int k = 0; k < Panels.KB; k++) {
                IntVector v = bytes(pk, at + 128 + 16L * k);
                FloatVector w0 = q4Lo(v).mul(s0), w1 = q4Hi(v).mul(s1);
                int xb = (b * Panels.KB + k) * FUSED;
                FloatVector x;
                x = FloatVector.broadcast(F, xt[xb]);
                c00 = w0.fma(x, c00);
                c01 = w1.fma(x, c01);
                x = FloatVector.broadcast(F, xt[xb + 1]);
                c10 = w0.fma(x, c10);
                c11 = w1.fma(x, c11);
                x = FloatVector.broadcast(F, xt[xb + 2]);
                c20 = w0.fma(x, c20);
                c21 = w1.fma(x, c21);
                x = FloatVector.broadcast(F, xt[xb + 3]);
                c30 = w0.fma(x, c30);
                c31 = w1.fma(x, c31);
                x = FloatVector.broadcast(F, xt[xb + 4]);
                c40 = w0.fma(x, c40);
                c41 = w1.fma(x, c41);
                x = FloatVector.broadcast(F, xt[xb + 5]);
                c50 = w0.fma(x, c50);
                c51 = w1.fma(x, c51);
                x = FloatVector.broadcast(F, xt[xb + 6]);
                c60 = w0.fma(x, c60);
                c61 = w1.fma(x, c61);
                x = FloatVector.broadcast(F, xt[xb + 7]);
                c70 = w0.fma(x, c70);
                c71 = w1.fma(x, c71);
                x = FloatVector.broadcast(F, xt[xb + 8]);
                c80 = w0.fma(x, c80);
                c81 = w1.fma(x, c81);
                x = FloatVector.broadcast(F, xt[xb + 9]);
                c90 = w0.fma(x, c90);
                c91 = w1.fma(x, c91);
                x = FloatVector.broadcast(F, xt[xb + 10]);
                ca0 = w0.fma(x, ca0);
                ca1 = w1.fma(x, ca1);
                x = FloatVector.broadcast(F, xt[xb + 11]);
                cb0 = w0.fma(x, cb0);
                cb1 = w1.fma(x, cb1);
                x = FloatVector.broadcast(F, xt[xb + 12]);
                cc0 = w0.fma(x, cc0);
                cc1 = w1.fma(x, cc1);
            }
        }
        c00.intoArray(acc, 0);
        c01.intoArray(acc, 16);
        c10.intoArray(acc, 32);
        c11.intoArray(acc, 48);
        c20.intoArray(acc, 64);
        c21.intoArray(acc, 80);
        c30.intoArray(acc, 96);
        c31.intoArray(acc, 112);
        c40.intoArray(acc, 128);
        c41.intoArray(acc, 144);
        c50.intoArray(acc, 160);
        c51.intoArray(acc, 176);
        c60.intoArray(acc, 192);
        c61.intoArray(acc, 208);
        c70.intoArray(acc, 224);
        c71.intoArray(acc, 240);
        c80.intoArray(acc, 256);
        c81.intoArray(acc, 272);
        c90.intoArray(acc, 288);
        c91.intoArray(acc, 304);
        ca0.intoArray(acc, 320);
        ca1.intoArray(acc, 336);
        cb0.intoArray(acc, 352);
        cb1.intoArray(acc, 368);
        cc0.intoArray(acc, 384);
        cc1.intoArray(acc, 400);
    }

    // ---- matvec: one activation row (the per-token step) -----------------------------------------------

    /**
     * out[r] = W row r . x (+ bias[r]) for one row of x, over the panels: per panel its 32 rows' sums stay in
     * two vectors for the whole row, each column decoded as it is read and multiplied by one broadcast of x,
     * so a matvec needs no horizontal sums and no copy of the matrix besides the panels. Four columns a step
     * (eight independent chains, block scales applied once per block); Q4_0 also leaves its -8 to the block
     * sums of x, and its high nibbles unshifted (16 times the value) to a scale of 1/16.
     */
    static void matvec(WeightMatrix w, float[] x, int xo, float[] out, int oo, float[] bias) {
        int rows = w.rows(), cols = w.cols();
        int blocks = Panels.blocks(cols), padded = blocks * Panels.KB;
        float[] xs = x;
        int xs0 = xo;
        Scratch sc = SCRATCH.get();
        if (padded != cols) { // x padded with zeros to whole blocks (the panel's padding is zero too)
            if (sc.xt.length < padded) {
                sc.xt = new float[padded];
            }
            xs = sc.xt;
            xs0 = 0;
            System.arraycopy(x, xo, xs, 0, cols);
            java.util.Arrays.fill(xs, cols, padded, 0f);
        }
        WeightFormat f = w.format();
        float[] sums = null;
        if (f == WeightFormat.Q4_0) {
            if (sc.sums.length < blocks) {
                sc.sums = new float[blocks];
            }
            sums = sc.sums;
            for (int b = 0; b < blocks; b++) {
                float t = 0f;
                for (int j = 0; j < Panels.KB; j++) {
                    t += xs[xs0 + Panels.KB * b + j];
                }
                sums[b] = 8f * t;
            }
        }
        MemorySegment pk = w.panels();
        long pb = Panels.panelBytes(f, cols);
        int format = f.ordinal();
        float[] xv = xs, xsum = sums;
        int x0 = xs0;
        int minPanels = (int) Math.max(1, (1L << 16) / pb);
        KernelPool.get().forRange(Panels.panels(rows), minPanels, (p0, p1) -> {
            float[] acc = SCRATCH.get().wf;
            for (int p = p0; p < p1; p++) {
                if (format == FMT_Q8) {
                    rowQ8(pk, p * pb, blocks, xv, x0, acc);
                } else if (format == FMT_BF16) {
                    rowBf16(pk, p * pb, blocks, xv, x0, acc);
                } else {
                    rowQ4(pk, p * pb, blocks, xv, x0, xsum, acc);
                }
                int r0 = p * NR, valid = Math.min(NR, rows - r0);
                for (int j = 0; j < valid; j++) {
                    out[oo + r0 + j] = bias == null ? acc[j] : acc[j] + bias[r0 + j];
                }
            }
        });
    }

    // ---- one panel column's 16 or 32 rows as floats (shared by the scratch decode, fused13 and the matvec) ----

    /** The 16 bytes at q, sign-extended to int lanes. */
    private static IntVector bytes(MemorySegment pk, long q) {
        return (IntVector) ByteVector.fromMemorySegment(B, pk, q, LE).convertShape(B2I, I, 0);
    }

    /** 16 Q8_0 rows of a column (unscaled). */
    private static FloatVector q8(MemorySegment pk, long q) {
        return (FloatVector) bytes(pk, q).convert(I2F, 0);
    }

    /** Rows j of a Q4_0 column (the low nibbles of its 16 bytes, minus 8; unscaled). */
    private static FloatVector q4Lo(IntVector v) {
        return (FloatVector) v.and(0x0F).sub(8).convert(I2F, 0);
    }

    /** Rows j + 16 of a Q4_0 column (the high nibbles). */
    private static FloatVector q4Hi(IntVector v) {
        return (FloatVector) v.lanewise(ASHR, 4).and(0x0F).sub(8).convert(I2F, 0);
    }

    /** Rows l of a BF16 column (the low halves of its 16 int lanes). */
    private static FloatVector bf16Lo(IntVector v) {
        return v.lanewise(LSHL, 16).reinterpretAsFloats();
    }

    /** Rows l + 16 of a BF16 column (the high halves). */
    private static FloatVector bf16Hi(IntVector v) {
        return v.and(0xFFFF0000).reinterpretAsFloats();
    }

    /** acc[0 .. 32) = the Q8_0 panel at base . x. */
    private static void rowQ8(MemorySegment pk, long base, int blocks, float[] x, int xo, float[] acc) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * 1152;
            FloatVector d0 = FloatVector.zero(F), d1 = d0, e0 = d0, e1 = d0, f0 = d0, f1 = d0, g0 = d0, g1 = d0;
            int xb = xo + Panels.KB * b;
            for (int k = 0; k < Panels.KB; k += 4) {
                long q = at + 128 + 32L * k;
                FloatVector x0 = FloatVector.broadcast(F, x[xb + k]), x1 = FloatVector.broadcast(F, x[xb + k + 1]),
                        x2 = FloatVector.broadcast(F, x[xb + k + 2]), x3 = FloatVector.broadcast(F, x[xb + k + 3]);
                d0 = q8(pk, q).fma(x0, d0);
                d1 = q8(pk, q + 16).fma(x0, d1);
                e0 = q8(pk, q + 32).fma(x1, e0);
                e1 = q8(pk, q + 48).fma(x1, e1);
                f0 = q8(pk, q + 64).fma(x2, f0);
                f1 = q8(pk, q + 80).fma(x2, f1);
                g0 = q8(pk, q + 96).fma(x3, g0);
                g1 = q8(pk, q + 112).fma(x3, g1);
            }
            a0 = d0.add(e0).add(f0.add(g0)).fma(FloatVector.fromMemorySegment(F, pk, at, LE), a0);
            a1 = d1.add(e1).add(f1.add(g1)).fma(FloatVector.fromMemorySegment(F, pk, at + 64, LE), a1);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, 16);
    }

    /** acc[0 .. 32) = the Q4_0 panel at base . x (sums8[b] = 8 times the sum of x over block b). */
    private static void rowQ4(MemorySegment pk, long base, int blocks, float[] x, int xo, float[] sums8, float[] acc) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * 640;
            FloatVector d0 = FloatVector.zero(F), d1 = d0, e0 = d0, e1 = d0, f0 = d0, f1 = d0, g0 = d0, g1 = d0;
            int xb = xo + Panels.KB * b;
            for (int k = 0; k < Panels.KB; k += 4) {
                long q = at + 128 + 16L * k;
                IntVector v0 = bytes(pk, q),
                        v1 = bytes(pk, q + 16),
                        v2 = bytes(pk, q + 32),
                        v3 = bytes(pk, q + 48);
                FloatVector x0 = FloatVector.broadcast(F, x[xb + k]), x1 = FloatVector.broadcast(F, x[xb + k + 1]),
                        x2 = FloatVector.broadcast(F, x[xb + k + 2]), x3 = FloatVector.broadcast(F, x[xb + k + 3]);
                d0 = ((FloatVector) v0.and(0x0F).convert(I2F, 0)).fma(x0, d0);
                d1 = ((FloatVector) v0.and(0xF0).convert(I2F, 0)).fma(x0, d1);
                e0 = ((FloatVector) v1.and(0x0F).convert(I2F, 0)).fma(x1, e0);
                e1 = ((FloatVector) v1.and(0xF0).convert(I2F, 0)).fma(x1, e1);
                f0 = ((FloatVector) v2.and(0x0F).convert(I2F, 0)).fma(x2, f0);
                f1 = ((FloatVector) v2.and(0xF0).convert(I2F, 0)).fma(x2, f1);
                g0 = ((FloatVector) v3.and(0x0F).convert(I2F, 0)).fma(x3, g0);
                g1 = ((FloatVector) v3.and(0xF0).convert(I2F, 0)).fma(x3, g1);
            }
            // sum (u - 8) x = sum u x - 8 sum x; the high nibbles were read as 16 u
            FloatVector m = FloatVector.broadcast(F, sums8[b]);
            a0 = d0.add(e0).add(f0.add(g0)).sub(m).fma(FloatVector.fromMemorySegment(F, pk, at, LE), a0);
            a1 = d1.add(e1).add(f1.add(g1)).mul(0.0625f).sub(m).fma(FloatVector.fromMemorySegment(F, pk, at + 64, LE), a1);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, 16);
    }

    /** acc[0 .. 32) = the BF16 panel at base . x. */
    private static void rowBf16(MemorySegment pk, long base, int blocks, float[] x, int xo, float[] acc) {
        FloatVector d0 = FloatVector.zero(F), d1 = d0, e0 = d0, e1 = d0, f0 = d0, f1 = d0, g0 = d0, g1 = d0;
        for (int b = 0; b < blocks; b++) {
            long at = base + (long) b * 2048;
            int xb = xo + Panels.KB * b;
            for (int k = 0; k < Panels.KB; k += 4) {
                long q = at + 64L * k;
                IntVector v0 = IntVector.fromMemorySegment(I, pk, q, LE), v1 = IntVector.fromMemorySegment(I, pk, q + 64, LE),
                        v2 = IntVector.fromMemorySegment(I, pk, q + 128, LE), v3 = IntVector.fromMemorySegment(I, pk, q + 192, LE);
                FloatVector x0 = FloatVector.broadcast(F, x[xb + k]), x1 = FloatVector.broadcast(F, x[xb + k + 1]),
                        x2 = FloatVector.broadcast(F, x[xb + k + 2]), x3 = FloatVector.broadcast(F, x[xb + k + 3]);
                d0 = bf16Lo(v0).fma(x0, d0);
                d1 = bf16Hi(v0).fma(x0, d1);
                e0 = bf16Lo(v1).fma(x1, e0);
                e1 = bf16Hi(v1).fma(x1, e1);
                f0 = bf16Lo(v2).fma(x2, f0);
                f1 = bf16Hi(v2).fma(x2, f1);
                g0 = bf16Lo(v3).fma(x3, g0);
                g1 = bf16Hi(v3).fma(x3, g1);
            }
        }
        d0.add(e0).add(f0.add(g0)).intoArray(acc, 0);
        d1.add(e1).add(f1.add(g1)).intoArray(acc, 16);
    }

    private static void decodeBf16(MemorySegment pk, long at, float[] wf, int d) {
        for (int k = 0; k < Panels.KB; k++) {
            IntVector v = IntVector.fromMemorySegment(I, pk, at + 64L * k, LE);
            bf16Lo(v).intoArray(wf, d + NR * k);
            bf16Hi(v).intoArray(wf, d + NR * k + 16);
        }
    }

    private static void decodeQ8(MemorySegment pk, long at, float[] wf, int d) {
        FloatVector s0 = FloatVector.fromMemorySegment(F, pk, at, LE), s1 = FloatVector.fromMemorySegment(F, pk, at + 64, LE);
        for (int k = 0; k < Panels.KB; k++) {
            long q = at + 128 + 32L * k;
            q8(pk, q).mul(s0).intoArray(wf, d + NR * k);
            q8(pk, q + 16).mul(s1).intoArray(wf, d + NR * k + 16);
        }
    }

    private static void decodeQ4(MemorySegment pk, long at, float[] wf, int d) {
        FloatVector s0 = FloatVector.fromMemorySegment(F, pk, at, LE), s1 = FloatVector.fromMemorySegment(F, pk, at + 64, LE);
        for (int k = 0; k < Panels.KB; k++) {
            IntVector v = bytes(pk, at + 128 + 16L * k);
            q4Lo(v).mul(s0).intoArray(wf, d + NR * k);
            q4Hi(v).mul(s1).intoArray(wf, d + NR * k + 16);
        }
    }

    /** acc[a + 32 t ..] += the slice's 32 rows . x rows i .. i + 12 (xt at x0 = k0 * n + i, n apart per column). */
    private static void tile13(float[] wf, int kc, float[] xt, int x0, int n, float[] acc, int a) {
        FloatVector c00 = FloatVector.fromArray(F, acc, a), c01 = FloatVector.fromArray(F, acc, a + 16),
                c10 = FloatVector.fromArray(F, acc, a + 32), c11 = FloatVector.fromArray(F, acc, a + 48),
                c20 = FloatVector.fromArray(F, acc, a + 64), c21 = FloatVector.fromArray(F, acc, a + 80),
                c30 = FloatVector.fromArray(F, acc, a + 96), c31 = FloatVector.fromArray(F, acc, a + 112),
                c40 = FloatVector.fromArray(F, acc, a + 128), c41 = FloatVector.fromArray(F, acc, a + 144),
                c50 = FloatVector.fromArray(F, acc, a + 160), c51 = FloatVector.fromArray(F, acc, a + 176),
                c60 = FloatVector.fromArray(F, acc, a + 192), c61 = FloatVector.fromArray(F, acc, a + 208),
                c70 = FloatVector.fromArray(F, acc, a + 224), c71 = FloatVector.fromArray(F, acc, a + 240),
                c80 = FloatVector.fromArray(F, acc, a + 256), c81 = FloatVector.fromArray(F, acc, a + 272),
                c90 = FloatVector.fromArray(F, acc, a + 288), c91 = FloatVector.fromArray(F, acc, a + 304),
                ca0 = FloatVector.fromArray(F, acc, a + 320), ca1 = FloatVector.fromArray(F, acc, a + 336),
                cb0 = FloatVector.fromArray(F, acc, a + 352), cb1 = FloatVector.fromArray(F, acc, a + 368),
                cc0 = FloatVector.fromArray(F, acc, a + 384), cc1 = FloatVector.fromArray(F, acc, a + 400);
        for (int k = 0; k < kc; k++) {
            FloatVector w0 = FloatVector.fromArray(F, wf, NR * k), w1 = FloatVector.fromArray(F, wf, NR * k + 16);
            int xb = x0 + k * n;
            FloatVector b;
            b = FloatVector.broadcast(F, xt[xb]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F, xt[xb + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, xt[xb + 2]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(F, xt[xb + 3]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            b = FloatVector.broadcast(F, xt[xb + 4]);
            c40 = w0.fma(b, c40);
            c41 = w1.fma(b, c41);
            b = FloatVector.broadcast(F, xt[xb + 5]);
            c50 = w0.fma(b, c50);
            c51 = w1.fma(b, c51);
            b = FloatVector.broadcast(F, xt[xb + 6]);
            c60 = w0.fma(b, c60);
            c61 = w1.fma(b, c61);
            b = FloatVector.broadcast(F, xt[xb + 7]);
            c70 = w0.fma(b, c70);
            c71 = w1.fma(b, c71);
            b = FloatVector.broadcast(F, xt[xb + 8]);
            c80 = w0.fma(b, c80);
            c81 = w1.fma(b, c81);
            b = FloatVector.broadcast(F, xt[xb + 9]);
            c90 = w0.fma(b, c90);
            c91 = w1.fma(b, c91);
            b = FloatVector.broadcast(F, xt[xb + 10]);
            ca0 = w0.fma(b, ca0);
            ca1 = w1.fma(b, ca1);
            b = FloatVector.broadcast(F, xt[xb + 11]);
            cb0 = w0.fma(b, cb0);
            cb1 = w1.fma(b, cb1);
            b = FloatVector.broadcast(F, xt[xb + 12]);
            cc0 = w0.fma(b, cc0);
            cc1 = w1.fma(b, cc1);
        }
        c00.intoArray(acc, a);
        c01.intoArray(acc, a + 16);
        c10.intoArray(acc, a + 32);
        c11.intoArray(acc, a + 48);
        c20.intoArray(acc, a + 64);
        c21.intoArray(acc, a + 80);
        c30.intoArray(acc, a + 96);
        c31.intoArray(acc, a + 112);
        c40.intoArray(acc, a + 128);
        c41.intoArray(acc, a + 144);
        c50.intoArray(acc, a + 160);
        c51.intoArray(acc, a + 176);
        c60.intoArray(acc, a + 192);
        c61.intoArray(acc, a + 208);
        c70.intoArray(acc, a + 224);
        c71.intoArray(acc, a + 240);
        c80.intoArray(acc, a + 256);
        c81.intoArray(acc, a + 272);
        c90.intoArray(acc, a + 288);
        c91.intoArray(acc, a + 304);
        ca0.intoArray(acc, a + 320);
        ca1.intoArray(acc, a + 336);
        cb0.intoArray(acc, a + 352);
        cb1.intoArray(acc, a + 368);
        cc0.intoArray(acc, a + 384);
        cc1.intoArray(acc, a + 400);
    }

    /** As {@link #tile13} for 10 rows. */
    private static void tile10(float[] wf, int kc, float[] xt, int x0, int n, float[] acc, int a) {
        FloatVector c00 = FloatVector.fromArray(F, acc, a), c01 = FloatVector.fromArray(F, acc, a + 16),
                c10 = FloatVector.fromArray(F, acc, a + 32), c11 = FloatVector.fromArray(F, acc, a + 48),
                c20 = FloatVector.fromArray(F, acc, a + 64), c21 = FloatVector.fromArray(F, acc, a + 80),
                c30 = FloatVector.fromArray(F, acc, a + 96), c31 = FloatVector.fromArray(F, acc, a + 112),
                c40 = FloatVector.fromArray(F, acc, a + 128), c41 = FloatVector.fromArray(F, acc, a + 144),
                c50 = FloatVector.fromArray(F, acc, a + 160), c51 = FloatVector.fromArray(F, acc, a + 176),
                c60 = FloatVector.fromArray(F, acc, a + 192), c61 = FloatVector.fromArray(F, acc, a + 208),
                c70 = FloatVector.fromArray(F, acc, a + 224), c71 = FloatVector.fromArray(F, acc, a + 240),
                c80 = FloatVector.fromArray(F, acc, a + 256), c81 = FloatVector.fromArray(F, acc, a + 272),
                c90 = FloatVector.fromArray(F, acc, a + 288), c91 = FloatVector.fromArray(F, acc, a + 304);
        for (int k = 0; k < kc; k++) {
            FloatVector w0 = FloatVector.fromArray(F, wf, NR * k), w1 = FloatVector.fromArray(F, wf, NR * k + 16);
            int xb = x0 + k * n;
            FloatVector b;
            b = FloatVector.broadcast(F, xt[xb]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F, xt[xb + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, xt[xb + 2]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(F, xt[xb + 3]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            b = FloatVector.broadcast(F, xt[xb + 4]);
            c40 = w0.fma(b, c40);
            c41 = w1.fma(b, c41);
            b = FloatVector.broadcast(F, xt[xb + 5]);
            c50 = w0.fma(b, c50);
            c51 = w1.fma(b, c51);
            b = FloatVector.broadcast(F, xt[xb + 6]);
            c60 = w0.fma(b, c60);
            c61 = w1.fma(b, c61);
            b = FloatVector.broadcast(F, xt[xb + 7]);
            c70 = w0.fma(b, c70);
            c71 = w1.fma(b, c71);
            b = FloatVector.broadcast(F, xt[xb + 8]);
            c80 = w0.fma(b, c80);
            c81 = w1.fma(b, c81);
            b = FloatVector.broadcast(F, xt[xb + 9]);
            c90 = w0.fma(b, c90);
            c91 = w1.fma(b, c91);
        }
        c00.intoArray(acc, a);
        c01.intoArray(acc, a + 16);
        c10.intoArray(acc, a + 32);
        c11.intoArray(acc, a + 48);
        c20.intoArray(acc, a + 64);
        c21.intoArray(acc, a + 80);
        c30.intoArray(acc, a + 96);
        c31.intoArray(acc, a + 112);
        c40.intoArray(acc, a + 128);
        c41.intoArray(acc, a + 144);
        c50.intoArray(acc, a + 160);
        c51.intoArray(acc, a + 176);
        c60.intoArray(acc, a + 192);
        c61.intoArray(acc, a + 208);
        c70.intoArray(acc, a + 224);
        c71.intoArray(acc, a + 240);
        c80.intoArray(acc, a + 256);
        c81.intoArray(acc, a + 272);
        c90.intoArray(acc, a + 288);
        c91.intoArray(acc, a + 304);
    }

    /** As {@link #tile13} for 7 rows. */
    private static void tile7(float[] wf, int kc, float[] xt, int x0, int n, float[] acc, int a) {
        FloatVector c00 = FloatVector.fromArray(F, acc, a), c01 = FloatVector.fromArray(F, acc, a + 16),
                c10 = FloatVector.fromArray(F, acc, a + 32), c11 = FloatVector.fromArray(F, acc, a + 48),
                c20 = FloatVector.fromArray(F, acc, a + 64), c21 = FloatVector.fromArray(F, acc, a + 80),
                c30 = FloatVector.fromArray(F, acc, a + 96), c31 = FloatVector.fromArray(F, acc, a + 112),
                c40 = FloatVector.fromArray(F, acc, a + 128), c41 = FloatVector.fromArray(F, acc, a + 144),
                c50 = FloatVector.fromArray(F, acc, a + 160), c51 = FloatVector.fromArray(F, acc, a + 176),
                c60 = FloatVector.fromArray(F, acc, a + 192), c61 = FloatVector.fromArray(F, acc, a + 208);
        for (int k = 0; k < kc; k++) {
            FloatVector w0 = FloatVector.fromArray(F, wf, NR * k), w1 = FloatVector.fromArray(F, wf, NR * k + 16);
            int xb = x0 + k * n;
            FloatVector b;
            b = FloatVector.broadcast(F, xt[xb]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F, xt[xb + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, xt[xb + 2]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(F, xt[xb + 3]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            b = FloatVector.broadcast(F, xt[xb + 4]);
            c40 = w0.fma(b, c40);
            c41 = w1.fma(b, c41);
            b = FloatVector.broadcast(F, xt[xb + 5]);
            c50 = w0.fma(b, c50);
            c51 = w1.fma(b, c51);
            b = FloatVector.broadcast(F, xt[xb + 6]);
            c60 = w0.fma(b, c60);
            c61 = w1.fma(b, c61);
        }
        c00.intoArray(acc, a);
        c01.intoArray(acc, a + 16);
        c10.intoArray(acc, a + 32);
        c11.intoArray(acc, a + 48);
        c20.intoArray(acc, a + 64);
        c21.intoArray(acc, a + 80);
        c30.intoArray(acc, a + 96);
        c31.intoArray(acc, a + 112);
        c40.intoArray(acc, a + 128);
        c41.intoArray(acc, a + 144);
        c50.intoArray(acc, a + 160);
        c51.intoArray(acc, a + 176);
        c60.intoArray(acc, a + 192);
        c61.intoArray(acc, a + 208);
    }

    /** As {@link #tile13} for 4 rows. */
    private static void tile4(float[] wf, int kc, float[] xt, int x0, int n, float[] acc, int a) {
        FloatVector c00 = FloatVector.fromArray(F, acc, a), c01 = FloatVector.fromArray(F, acc, a + 16),
                c10 = FloatVector.fromArray(F, acc, a + 32), c11 = FloatVector.fromArray(F, acc, a + 48),
                c20 = FloatVector.fromArray(F, acc, a + 64), c21 = FloatVector.fromArray(F, acc, a + 80),
                c30 = FloatVector.fromArray(F, acc, a + 96), c31 = FloatVector.fromArray(F, acc, a + 112);
        for (int k = 0; k < kc; k++) {
            FloatVector w0 = FloatVector.fromArray(F, wf, NR * k), w1 = FloatVector.fromArray(F, wf, NR * k + 16);
            int xb = x0 + k * n;
            FloatVector b;
            b = FloatVector.broadcast(F, xt[xb]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F, xt[xb + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, xt[xb + 2]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(F, xt[xb + 3]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
        }
        c00.intoArray(acc, a);
        c01.intoArray(acc, a + 16);
        c10.intoArray(acc, a + 32);
        c11.intoArray(acc, a + 48);
        c20.intoArray(acc, a + 64);
        c21.intoArray(acc, a + 80);
        c30.intoArray(acc, a + 96);
        c31.intoArray(acc, a + 112);
    }

    /** As {@link #tile13} for one row. */
    private static void tile1(float[] wf, int kc, float[] xt, int x0, int n, float[] acc, int a) {
        FloatVector c0 = FloatVector.fromArray(F, acc, a), c1 = FloatVector.fromArray(F, acc, a + 16);
        FloatVector d0 = FloatVector.zero(F), d1 = d0;
        int k = 0;
        for (; k + 2 <= kc; k += 2) { // two chains: one row is latency bound
            FloatVector b = FloatVector.broadcast(F, xt[x0 + k * n]), e = FloatVector.broadcast(F, xt[x0 + (k + 1) * n]);
            c0 = FloatVector.fromArray(F, wf, NR * k).fma(b, c0);
            c1 = FloatVector.fromArray(F, wf, NR * k + 16).fma(b, c1);
            d0 = FloatVector.fromArray(F, wf, NR * k + 32).fma(e, d0);
            d1 = FloatVector.fromArray(F, wf, NR * k + 48).fma(e, d1);
        }
        for (; k < kc; k++) {
            FloatVector b = FloatVector.broadcast(F, xt[x0 + k * n]);
            c0 = FloatVector.fromArray(F, wf, NR * k).fma(b, c0);
            c1 = FloatVector.fromArray(F, wf, NR * k + 16).fma(b, c1);
        }
        c0.add(d0).intoArray(acc, a);
        c1.add(d1).intoArray(acc, a + 16);
    }
}
