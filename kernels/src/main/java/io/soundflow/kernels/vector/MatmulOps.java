package io.soundflow.kernels.vector;

import io.soundflow.kernels.HeapFloatBuf;
import io.soundflow.kernels.KernelPool;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.B2I;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * Matrix x vector and matrix x matrix over weights read in place from their (mapped) segment, in every
 * {@link WeightFormat}. A width template (see {@link Widths}).
 *
 * <ul>
 *   <li>matvec (n = 1, decode): bandwidth-bound. Each thread streams its rows one after the other (one
 *       sequential stream per core reads DRAM measurably faster here than four interleaved row streams
 *       sharing activation loads: about 14 against 9 GB/s per core for Q8_0), with two to four
 *       independent accumulators. Conversion is a few integer ops a vector: BF16/F16 rows are read as
 *       32-bit pairs whose low and high halves widen with one shift or mask against an activation split
 *       into its even and odd elements once per call; Q8_0/Q4_0 blocks widen bytes to floats and apply
 *       the block scale once per block.</li>
 *   <li>matmul (n &gt; 1, prefill, encoder): cache-blocked. A panel of 4 weight rows x {@link #KC}
 *       columns is dequantized once into a float scratch (L1) and reused for every activation row
 *       through 4 x 3 (12 accumulators) and 4 x 2 register-tiled micro-kernels.</li>
 * </ul>
 * Work is split over {@link KernelPool} by groups of 4 rows.
 */
final class MatmulOps implements Family.Matmul {
    static final int BITS = Widths.bitsOf(MethodHandles.lookup());
    static final VectorShape SHAPE = VectorShape.forBitSize(BITS);
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, SHAPE);
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, SHAPE);
    /** Shorts with as many lanes as F (half the bits). */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(BITS / 2));
    static final int L = F.length();
    /** Bytes loaded at once from a quantized block (the smallest byte vector is 64 bits). */
    static final int BL = Math.max(8, L);
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(BL * 8));
    /** Float vectors one byte load widens into. */
    static final int PARTS = BL / L;

    /** Largest column block of the matmul panel (a multiple of 32 and of every L); panel [4, KC] = 32 KB. */
    static final int KC = 2048;
    /** Activation rows per pass over a panel. */
    static final int NC = 48;

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat F32L = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort I16L = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    public MatmulOps() {
    }

    @Override
    public String toString() {
        return "MatmulOps(" + BITS + ")";
    }

    @Override
    public void matmul(WeightMatrix w, HeapFloatBuf x, int n, HeapFloatBuf out, float[] bias) {
        int rows = w.rows();
        int groups = (rows + 3) >>> 2;
        float[] xa = x.a, oa = out.a;
        int xo = x.off, oo = out.off;
        // once per call, on the calling thread (which waits for the workers, so its scratch stays put)
        float[] pre = precompute(w.format(), xa, xo, n, w.cols(), SCRATCH.get());
        if (n == 1) {
            int minGroups = (int) Math.max(1, (1L << 16) / (4 * w.rowBytes()));
            KernelPool.get().forRange(groups, minGroups, (g0, g1) ->
                    matvecRange(w, xa, xo, pre, 4 * g0, Math.min(rows, 4 * g1), oa, oo, bias));
        } else {
            KernelPool.get().forRange(groups, 1, (g0, g1) ->
                    gemmRange(w, xa, xo, n, pre, 4 * g0, Math.min(rows, 4 * g1), oa, oo, bias));
        }
    }

    // ---- matvec ---------------------------------------------------------------------------------

    /**
     * What the kernels precompute from x [n, cols], once per call: for a BF16 matmul or a BF16/F16 matvec each
     * row's even elements then its odd elements (row i at {@code i * 2P}: s[k] = x[i][2k], s[P + k] = x[i][2k + 1],
     * P = cols / 2); for a Q4_0 matvec the sum of each 32-block of x; else null. A matvec (the per-token step)
     * writes into the calling thread's scratch, so decoding allocates nothing; a matmul allocates its array
     * (a thread that once ran a long prefill would otherwise keep megabytes per stream).
     */
    private static float[] precompute(WeightFormat f, float[] x, int xo, int n, int cols, Scratch sc) {
        if (f == WeightFormat.Q4_0 && n == 1) {
            float[] sums = sc.pre(cols / 32); // n == 1: the scratch
            for (int b = 0; b < cols / 32; b++) {
                float s = 0f;
                for (int j = 0; j < 32; j++) {
                    s += x[xo + 32 * b + j];
                }
                sums[b] = s;
            }
            return sums;
        }
        if (f != WeightFormat.BF16 && !(f == WeightFormat.F16 && n == 1)) {
            return null;
        }
        int pairs = cols >>> 1;
        float[] s = n == 1 ? sc.pre(2 * pairs) : new float[n * 2 * pairs];
        for (int i = 0; i < n; i++) {
            int src = xo + i * cols, dst = i * 2 * pairs;
            for (int k = 0; k < pairs; k++) {
                s[dst + k] = x[src + 2 * k];
                s[dst + pairs + k] = x[src + 2 * k + 1];
            }
        }
        return s;
    }

    /*
     * rowLoop: each dot product reads its row through a slice of exactly the bytes its main loop reads, with
     * the loop bounded by that slice's size, so C2 proves every vector load in bounds and drops the
     * per-load range checks (bounding the loop by the column count instead left them in: about 16 against
     * 25 GB/s for a 2-thread BF16 matvec of 180 MB in one run here; in bench kernels F32 rows read 1.3-1.8x
     * faster, BF16 up to 2x on most shapes). The remainder loops and tails still read the whole segment at
     * the row's base. Q8_0 and Q4_0 keep their block loops over the whole segment: the slice showed no gain
     * there (Q4_0 read slower in the same runs).
     */
    private static void matvecRange(WeightMatrix w, float[] x, int xo, float[] pre, int r0, int r1,
                                    float[] out, int oo, float[] bias) {
        MemorySegment seg = w.data();
        long rb = w.rowBytes();
        int cols = w.cols();
        WeightFormat f = w.format();
        MemorySegment pk = w.packed();
        if (pk != null) {
            matvecPacked(w, pk, x, xo, r0, r1, out, oo, bias);
            return;
        }
        for (int r = r0; r < r1; r++) {
            long base = r * rb;
            float s;
            if (f == WeightFormat.BF16) {
                s = dotBf16(seg, base, cols, x, xo, pre, 0);
            } else if (f == WeightFormat.Q8_0) {
                s = dotQ8(seg, base, cols, x, xo);
            } else if (f == WeightFormat.Q4_0) {
                s = dotQ4(seg, base, cols, x, xo, pre);
            } else if (f == WeightFormat.F16) {
                s = dotF16(seg, base, cols, x, xo, pre);
            } else {
                s = dotF32(seg, base, cols, x, xo);
            }
            out[oo + r] = bias == null ? s : s + bias[r];
        }
    }

    /** 2^23 + 8 and 2^23 + 128: a nibble or byte under the exponent of 2^23, minus its bias (see {@link Packed}). */
    private static final float Q4_MAGIC = 0x1p23f + 8f, Q8_MAGIC = 0x1p23f + 128f;
    private static final int EXP23 = 0x4B000000;

    /**
     * Rows [r0, r1) of a matrix with a {@link Packed} copy: its groups, then the stored blocks after them.
     * (Cutting long rows into column slices that keep the activations in L1 showed no gain on the MLP's down
     * projection, 2048 x 11008: 9-11 against 10-11 GB/s for Q4_0 in one run.)
     */
    private static void matvecPacked(WeightMatrix w, MemorySegment pk, float[] x, int xo, int r0, int r1,
                                     float[] out, int oo, float[] bias) {
        WeightFormat f = w.format();
        int cols = w.cols();
        int groups = Packed.groups(f, cols);
        long prb = (long) groups * Packed.groupBytes(f);
        int done = groups * Packed.groupValues(f);
        boolean q4 = f == WeightFormat.Q4_0;
        float[] tail = done < cols ? SCRATCH.get().panel : null; // the blocks after the last whole group (at most 3)
        for (int r = r0; r < r1; r++) {
            float s = q4 ? dotQ4Packed(pk, r * prb, groups, x, xo) : dotQ8Packed(pk, r * prb, groups, x, xo);
            if (done < cols) {
                decodeRow(w, r, done, cols - done, tail, 0);
                s += dot(tail, 0, x, xo + done, cols - done);
            }
            out[oo + r] = bias == null ? s : s + bias[r];
        }
    }

    /** A packed Q4_0 row: per group of 4 blocks, each block's 32 products, then its scale. */
    private static float dotQ4Packed(MemorySegment pk, long base, int groups, float[] x, int xo) {
        FloatVector m = FloatVector.broadcast(F, Q4_MAGIC);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int g = 0; g < groups; g++) {
            long at = base + (long) Packed.Q4_GROUP_BYTES * g;
            int xc = xo + Packed.Q4_GROUP * g;
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
            for (int h = 0; h < 16; h += L) { // 16 lanes: one 512-bit read, two 256-bit, four 128-bit
                IntVector v = IntVector.fromMemorySegment(I, pk, at + 4L * h, LE);
                int xh = xc + h;
                p0 = v.and(0xF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh), p0);
                p0 = v.lanewise(LSHR, 4).and(0xF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 16), p0);
                p1 = v.lanewise(LSHR, 8).and(0xF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 32), p1);
                p1 = v.lanewise(LSHR, 12).and(0xF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 48), p1);
                p2 = v.lanewise(LSHR, 16).and(0xF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 64), p2);
                p2 = v.lanewise(LSHR, 20).and(0xF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 80), p2);
                p3 = v.lanewise(LSHR, 24).and(0xF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 96), p3);
                p3 = v.lanewise(LSHR, 28).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 112), p3);
            }
            a0 = p0.fma(FloatVector.broadcast(F, pk.get(F32L, at + 64)), a0);
            a1 = p1.fma(FloatVector.broadcast(F, pk.get(F32L, at + 68)), a1);
            a2 = p2.fma(FloatVector.broadcast(F, pk.get(F32L, at + 72)), a2);
            a3 = p3.fma(FloatVector.broadcast(F, pk.get(F32L, at + 76)), a3);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(ADD);
    }

    /** A packed Q8_0 row: per group of 2 blocks, each block's 32 products, then its scale. */
    private static float dotQ8Packed(MemorySegment pk, long base, int groups, float[] x, int xo) {
        FloatVector m = FloatVector.broadcast(F, Q8_MAGIC);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int g = 0;
        // two groups a step (four block chains), then a last single group: one group a step (two chains) read
        // 18-21 against 22-23 GB/s on [11008 x 2048] in one run
        for (; g + 2 <= groups; g += 2) {
            long at = base + (long) Packed.Q8_GROUP_BYTES * g;
            int xc = xo + Packed.Q8_GROUP * g;
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
            for (int h = 0; h < 16; h += L) {
                IntVector v = IntVector.fromMemorySegment(I, pk, at + 4L * h, LE);
                IntVector u = IntVector.fromMemorySegment(I, pk, at + Packed.Q8_GROUP_BYTES + 4L * h, LE);
                int xh = xc + h;
                p0 = v.and(0xFF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh), p0);
                p0 = v.lanewise(LSHR, 8).and(0xFF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 16), p0);
                p1 = v.lanewise(LSHR, 16).and(0xFF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 32), p1);
                p1 = v.lanewise(LSHR, 24).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 48), p1);
                p2 = u.and(0xFF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 64), p2);
                p2 = u.lanewise(LSHR, 8).and(0xFF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 80), p2);
                p3 = u.lanewise(LSHR, 16).and(0xFF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 96), p3);
                p3 = u.lanewise(LSHR, 24).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 112), p3);
            }
            a0 = p0.fma(FloatVector.broadcast(F, pk.get(F32L, at + 64)), a0);
            a1 = p1.fma(FloatVector.broadcast(F, pk.get(F32L, at + 68)), a1);
            a2 = p2.fma(FloatVector.broadcast(F, pk.get(F32L, at + 136)), a2);
            a3 = p3.fma(FloatVector.broadcast(F, pk.get(F32L, at + 140)), a3);
        }
        if (g < groups) {
            long at = base + (long) Packed.Q8_GROUP_BYTES * g;
            int xc = xo + Packed.Q8_GROUP * g;
            FloatVector p0 = FloatVector.zero(F), p1 = p0;
            for (int h = 0; h < 16; h += L) {
                IntVector v = IntVector.fromMemorySegment(I, pk, at + 4L * h, LE);
                int xh = xc + h;
                p0 = v.and(0xFF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh), p0);
                p0 = v.lanewise(LSHR, 8).and(0xFF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 16), p0);
                p1 = v.lanewise(LSHR, 16).and(0xFF).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 32), p1);
                p1 = v.lanewise(LSHR, 24).or(EXP23).reinterpretAsFloats().sub(m).fma(FloatVector.fromArray(F, x, xh + 48), p1);
            }
            a0 = p0.fma(FloatVector.broadcast(F, pk.get(F32L, at + 64)), a0);
            a1 = p1.fma(FloatVector.broadcast(F, pk.get(F32L, at + 68)), a1);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(ADD);
    }

    private static float dotF32(MemorySegment seg, long base, int cols, float[] x, int xo) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        MemorySegment row = seg.asSlice(base, 4L * cols); // see rowLoop
        for (long o = 0, n = row.byteSize(); o + 16L * L <= n; o += 16L * L, c += 4 * L) {
            a0 = FloatVector.fromMemorySegment(F, row, o, LE).fma(FloatVector.fromArray(F, x, xo + c), a0);
            a1 = FloatVector.fromMemorySegment(F, row, o + 4L * L, LE).fma(FloatVector.fromArray(F, x, xo + c + L), a1);
            a2 = FloatVector.fromMemorySegment(F, row, o + 8L * L, LE).fma(FloatVector.fromArray(F, x, xo + c + 2 * L), a2);
            a3 = FloatVector.fromMemorySegment(F, row, o + 12L * L, LE).fma(FloatVector.fromArray(F, x, xo + c + 3 * L), a3);
        }
        for (int ub = F.loopBound(cols); c < ub; c += L) {
            a0 = FloatVector.fromMemorySegment(F, seg, base + 4L * c, LE).fma(FloatVector.fromArray(F, x, xo + c), a0);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(ADD) + tail(WeightFormat.F32, seg, base, c, cols, x, xo);
    }

    private static float dotBf16(MemorySegment seg, long base, int cols, float[] x, int xo, float[] split, int so) {
        int pairs = cols >>> 1;
        FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
        int k = 0;
        MemorySegment row = seg.asSlice(base, 4L * pairs); // see rowLoop
        for (long at = 0, n = row.byteSize(); at + 8L * L <= n; at += 8L * L, k += 2 * L) {
            IntVector v0 = IntVector.fromMemorySegment(I, row, at, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, row, at + 4L * L, LE);
            e0 = v0.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, so + k), e0);
            o0 = v0.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, so + pairs + k), o0);
            e1 = v1.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, so + k + L), e1);
            o1 = v1.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, so + pairs + k + L), o1);
        }
        for (int ub = I.loopBound(pairs); k < ub; k += L) {
            IntVector v0 = IntVector.fromMemorySegment(I, seg, base + 4L * k, LE);
            e0 = v0.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, so + k), e0);
            o0 = v0.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, so + pairs + k), o0);
        }
        return e0.add(o0).add(e1.add(o1)).reduceLanes(ADD) + tail(WeightFormat.BF16, seg, base, 2 * k, cols, x, xo);
    }

    private static float dotF16(MemorySegment seg, long base, int cols, float[] x, int xo, float[] split) {
        int pairs = cols >>> 1;
        FloatVector e0 = FloatVector.zero(F), o0 = e0;
        int k = 0;
        MemorySegment row = seg.asSlice(base, 4L * pairs); // see rowLoop
        for (long at = 0, n = row.byteSize(); at + 4L * L <= n; at += 4L * L, k += L) {
            IntVector v0 = IntVector.fromMemorySegment(I, row, at, LE);
            e0 = halfToFloat(v0.and(0xFFFF)).fma(FloatVector.fromArray(F, split, k), e0);
            o0 = halfToFloat(v0.lanewise(LSHR, 16)).fma(FloatVector.fromArray(F, split, pairs + k), o0);
        }
        return e0.add(o0).reduceLanes(ADD) + tail(WeightFormat.F16, seg, base, 2 * k, cols, x, xo);
    }

    /** Q8_0, two blocks a step (independent chains), the block scale applied once per block. */
    private static float dotQ8(MemorySegment seg, long base, int cols, float[] x, int xo) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int blocks = cols >>> 5;
        int b = 0;
        for (; b + 2 <= blocks; b += 2) {
            long q = base + 34L * b;
            int xc = xo + 32 * b;
            FloatVector p0 = FloatVector.zero(F), p1 = p0;
            for (int o = 0; o < 32; o += BL) {
                ByteVector q0 = ByteVector.fromMemorySegment(B, seg, q + 2 + o, LE);
                ByteVector q1 = ByteVector.fromMemorySegment(B, seg, q + 36 + o, LE);
                for (int p = 0; p < PARTS; p++) {
                    p0 = ((FloatVector) q0.convertShape(B2F, F, p)).fma(FloatVector.fromArray(F, x, xc + o + p * L), p0);
                    p1 = ((FloatVector) q1.convertShape(B2F, F, p)).fma(FloatVector.fromArray(F, x, xc + 32 + o + p * L), p1);
                }
            }
            a0 = p0.fma(FloatVector.broadcast(F, scale(seg, q)), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scale(seg, q + 34)), a1);
        }
        if (b < blocks) {
            long q = base + 34L * b;
            FloatVector p0 = FloatVector.zero(F);
            for (int o = 0; o < 32; o += BL) {
                ByteVector q0 = ByteVector.fromMemorySegment(B, seg, q + 2 + o, LE);
                for (int p = 0; p < PARTS; p++) {
                    p0 = ((FloatVector) q0.convertShape(B2F, F, p)).fma(FloatVector.fromArray(F, x, xo + 32 * b + o + p * L), p0);
                }
            }
            a0 = p0.fma(FloatVector.broadcast(F, scale(seg, q)), a0);
        }
        return a0.add(a1).reduceLanes(ADD);
    }

    /**
     * Q4_0, two blocks a step. The 16 quant bytes of a block widen to ints (x86 has no byte shift); low
     * nibbles are values 0..15, high nibbles 16..31. The "- 8" is applied once per block through the
     * block sum of x: sum((q - 8) x) d = d sum(q x) - 8 d sum(x).
     */
    private static float dotQ4(MemorySegment seg, long base, int cols, float[] x, int xo, float[] xsum) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        float corr = 0f;
        int blocks = cols >>> 5;
        int b = 0;
        for (; b + 2 <= blocks; b += 2) {
            long q = base + 18L * b;
            int xc = xo + 32 * b;
            FloatVector p0 = FloatVector.zero(F), p1 = p0;
            for (int o = 0; o < 16; o += BL) {
                ByteVector q0 = ByteVector.fromMemorySegment(B, seg, q + 2 + o, LE);
                ByteVector q1 = ByteVector.fromMemorySegment(B, seg, q + 20 + o, LE);
                for (int p = 0; p < PARTS; p++) {
                    IntVector i0 = (IntVector) q0.convertShape(B2I, I, p);
                    IntVector i1 = (IntVector) q1.convertShape(B2I, I, p);
                    int xl = xc + o + p * L;
                    p0 = ((FloatVector) i0.and(0x0F).convert(I2F, 0)).fma(FloatVector.fromArray(F, x, xl), p0);
                    p1 = ((FloatVector) i1.and(0x0F).convert(I2F, 0)).fma(FloatVector.fromArray(F, x, xl + 32), p1);
                    p0 = ((FloatVector) i0.lanewise(ASHR, 4).and(0x0F).convert(I2F, 0)).fma(FloatVector.fromArray(F, x, xl + 16), p0);
                    p1 = ((FloatVector) i1.lanewise(ASHR, 4).and(0x0F).convert(I2F, 0)).fma(FloatVector.fromArray(F, x, xl + 48), p1);
                }
            }
            float d0 = scale(seg, q), d1 = scale(seg, q + 18);
            a0 = p0.fma(FloatVector.broadcast(F, d0), a0);
            a1 = p1.fma(FloatVector.broadcast(F, d1), a1);
            corr += d0 * xsum[b] + d1 * xsum[b + 1];
        }
        if (b < blocks) {
            long q = base + 18L * b;
            FloatVector p0 = FloatVector.zero(F);
            for (int o = 0; o < 16; o += BL) {
                ByteVector q0 = ByteVector.fromMemorySegment(B, seg, q + 2 + o, LE);
                for (int p = 0; p < PARTS; p++) {
                    IntVector i0 = (IntVector) q0.convertShape(B2I, I, p);
                    int xl = xo + 32 * b + o + p * L;
                    p0 = ((FloatVector) i0.and(0x0F).convert(I2F, 0)).fma(FloatVector.fromArray(F, x, xl), p0);
                    p0 = ((FloatVector) i0.lanewise(ASHR, 4).and(0x0F).convert(I2F, 0)).fma(FloatVector.fromArray(F, x, xl + 16), p0);
                }
            }
            float d0 = scale(seg, q);
            a0 = p0.fma(FloatVector.broadcast(F, d0), a0);
            corr += d0 * xsum[b];
        }
        return a0.add(a1).reduceLanes(ADD) - 8f * corr;
    }

    /** Low nibble minus 8 as float (lanes hold sign-extended quant bytes). */
    private static FloatVector low(IntVector v) {
        return (FloatVector) v.and(0x0F).sub(8).convert(I2F, 0);
    }

    /** High nibble minus 8 as float. */
    private static FloatVector high(IntVector v) {
        return (FloatVector) v.lanewise(ASHR, 4).and(0x0F).sub(8).convert(I2F, 0);
    }

    /** The f16 scale of the block at byte offset {@code at}. */
    private static float scale(MemorySegment seg, long at) {
        return Float.float16ToFloat(seg.get(I16L, at));
    }

    /** Scalar dot of columns [c0, cols) of a float-format row with x (vector tails). */
    private static float tail(WeightFormat f, MemorySegment seg, long base, int c0, int cols, float[] x, int xo) {
        float s = 0f;
        for (int c = c0; c < cols; c++) {
            s += element(f, seg, base, c) * x[xo + c];
        }
        return s;
    }

    private static float element(WeightFormat f, MemorySegment seg, long base, int c) {
        if (f == WeightFormat.F32) {
            return seg.get(F32L, base + 4L * c);
        }
        short h = seg.get(I16L, base + 2L * c);
        return f == WeightFormat.BF16 ? Float.intBitsToFloat((h & 0xFFFF) << 16) : Float.float16ToFloat(h);
    }

    /**
     * IEEE half bits (in the low 16 bits of each lane, upper bits zero) to float: the magnitude shifted
     * into float position and rescaled by 2^112 (exact for normals, subnormals and zero), infinities
     * and NaNs given an all-ones exponent, then the sign.
     */
    static FloatVector halfToFloat(IntVector h) {
        IntVector mag = h.and(0x7FFF);
        IntVector shifted = mag.lanewise(LSHL, 13);
        IntVector bits = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = mag.compare(GE, 0x7C00);
        bits = bits.blend(shifted.or(0x7F800000), special);
        return bits.or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
    }

    static float dot(float[] a, int ao, float[] b, int bo, int len) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0;
        int i = 0;
        int ub2 = len - 2 * L + 1;
        for (; i < ub2; i += 2 * L) {
            s0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), s0);
            s1 = FloatVector.fromArray(F, a, ao + i + L).fma(FloatVector.fromArray(F, b, bo + i + L), s1);
        }
        for (; i < F.loopBound(len); i += L) {
            s0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), s0);
        }
        float s = s0.add(s1).reduceLanes(ADD);
        for (; i < len; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    // ---- dequantization ---------------------------------------------------------------------------

    @Override
    public void decode(WeightMatrix w, int r, int c0, int count, float[] dst, int dOff) {
        decodeRow(w, r, c0, count, dst, dOff);
    }

    /**
     * Columns {@code [c0, c0 + count)} of row r as float32 into dst; for the block formats c0 and count
     * are multiples of 32.
     */
    static void decodeRow(WeightMatrix w, int r, int c0, int count, float[] dst, int dOff) {
        MemorySegment seg = w.data();
        long base = r * w.rowBytes();
        WeightFormat f = w.format();
        if (f == WeightFormat.F32) {
            long at = base + 4L * c0;
            int ub = F.loopBound(count);
            for (int c = 0; c < ub; c += L) {
                FloatVector.fromMemorySegment(F, seg, at + 4L * c, LE).intoArray(dst, dOff + c);
            }
            for (int c = ub; c < count; c++) {
                dst[dOff + c] = seg.get(F32L, at + 4L * c);
            }
        } else if (f == WeightFormat.BF16) {
            decodeBf16(seg, base, c0, count, dst, dOff);
        } else if (f == WeightFormat.F16) {
            decodeF16(seg, base, c0, count, dst, dOff);
        } else {
            boolean q8 = f == WeightFormat.Q8_0;
            int bytes = f.blockBytes;
            for (int b = 0; b < count / 32; b++) {
                long at = base + (long) bytes * (c0 / 32 + b);
                FloatVector d = FloatVector.broadcast(F, scale(seg, at));
                int o0 = dOff + 32 * b;
                if (q8) {
                    for (int o = 0; o < 32; o += BL) {
                        ByteVector q = ByteVector.fromMemorySegment(B, seg, at + 2 + o, LE);
                        for (int p = 0; p < PARTS; p++) {
                            ((FloatVector) q.convertShape(B2F, F, p)).mul(d).intoArray(dst, o0 + o + p * L);
                        }
                    }
                } else {
                    for (int o = 0; o < 16; o += BL) {
                        ByteVector q = ByteVector.fromMemorySegment(B, seg, at + 2 + o, LE);
                        for (int p = 0; p < PARTS; p++) {
                            IntVector v = (IntVector) q.convertShape(B2I, I, p);
                            low(v).mul(d).intoArray(dst, o0 + o + p * L);
                            high(v).mul(d).intoArray(dst, o0 + 16 + o + p * L);
                        }
                    }
                }
            }
        }
    }

    private static void decodeBf16(MemorySegment seg, long base, int c0, int count, float[] dst, int dOff) {
        int ub = S.loopBound(count);
        long at = base + 2L * c0;
        for (int c = 0; c < ub; c += L) {
            IntVector v = (IntVector) ShortVector.fromMemorySegment(S, seg, at + 2L * c, LE).convertShape(S2I, I, 0);
            v.lanewise(LSHL, 16).reinterpretAsFloats().intoArray(dst, dOff + c);
        }
        for (int c = ub; c < count; c++) {
            dst[dOff + c] = element(WeightFormat.BF16, seg, base, c0 + c);
        }
    }

    private static void decodeF16(MemorySegment seg, long base, int c0, int count, float[] dst, int dOff) {
        int ub = S.loopBound(count);
        long at = base + 2L * c0;
        for (int c = 0; c < ub; c += L) {
            IntVector v = (IntVector) ShortVector.fromMemorySegment(S, seg, at + 2L * c, LE).convertShape(S2I, I, 0);
            halfToFloat(v.and(0xFFFF)).intoArray(dst, dOff + c);
        }
        for (int c = ub; c < count; c++) {
            dst[dOff + c] = element(WeightFormat.F16, seg, base, c0 + c);
        }
    }

    // ---- matmul (n > 1) ---------------------------------------------------------------------------

    private static void gemmRange(WeightMatrix w, float[] x, int xo, int n, float[] pre, int r0, int r1,
                                  float[] out, int oo, float[] bias) {
        int cols = w.cols(), rows = w.rows();
        for (int i = 0; i < n; i++) {
            for (int r = r0; r < r1; r++) {
                out[oo + i * rows + r] = bias == null ? 0f : bias[r];
            }
        }
        Scratch sc = SCRATCH.get();
        float[] res = sc.res;
        if (w.format() == WeightFormat.F32 || w.format() == WeightFormat.BF16) {
            gemmDirect(w, x, xo, n, pre, r0, r1, out, oo, sc);
            return;
        }
        float[] panel = sc.panel; // [4, KC]
        // equal column blocks of at most KC (whole 32-blocks), so no block is a short remainder
        int kBlocks = (cols + KC - 1) / KC;
        int step = Math.min(KC, ((cols + kBlocks - 1) / kBlocks + 31) / 32 * 32);
        for (int kb = 0; kb < cols; kb += step) {
            int kc = Math.min(step, cols - kb);
            for (int nb = 0; nb < n; nb += NC) {
                int ne = Math.min(n, nb + NC);
                for (int r = r0; r < r1; r += 4) {
                    int rn = Math.min(4, r1 - r);
                    for (int j = 0; j < rn; j++) {
                        decodeRow(w, r + j, kb, kc, panel, j * KC);
                    }
                    if (rn == 4) {
                        int i = nb;
                        // tiles of 3 activation rows, then of 2 (4 x 1 only when a single row remains)
                        int twos = (ne - nb) % 3 == 1 && ne - nb >= 4 ? 2 : (ne - nb) % 3 == 2 ? 1 : 0;
                        for (; i + 3 <= ne - 2 * twos; i += 3) {
                            tile4x3(panel, kc, x, xo + i * cols + kb, cols, res);
                            for (int t = 0; t < 3; t++) {
                                int o = oo + (i + t) * rows + r;
                                out[o] += res[t];
                                out[o + 1] += res[3 + t];
                                out[o + 2] += res[6 + t];
                                out[o + 3] += res[9 + t];
                            }
                        }
                        for (; i + 2 <= ne; i += 2) {
                            tile4x2(panel, kc, x, xo + i * cols + kb, cols, res);
                            for (int t = 0; t < 2; t++) {
                                int o = oo + (i + t) * rows + r;
                                out[o] += res[t];
                                out[o + 1] += res[2 + t];
                                out[o + 2] += res[4 + t];
                                out[o + 3] += res[6 + t];
                            }
                        }
                        for (; i < ne; i++) {
                            tile4x1(panel, kc, x, xo + i * cols + kb, res);
                            int o = oo + i * rows + r;
                            out[o] += res[0];
                            out[o + 1] += res[1];
                            out[o + 2] += res[2];
                            out[o + 3] += res[3];
                        }
                    } else {
                        for (int j = 0; j < rn; j++) {
                            for (int i = nb; i < ne; i++) {
                                out[oo + i * rows + r + j] += dot(panel, j * KC, x, xo + i * cols + kb, kc);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Per-thread scratch of the matmul: no allocation per call once a thread has run one. Package-private
     * (not private), since the width copies of this class are hidden classes outside its nest.
     */
    static final class Scratch {
        Scratch() {
        }

        final float[] panel = new float[4 * KC];
        final float[] res = new float[12];
        private float[] pre = new float[0];

        /** The precompute array, grown to at least {@code size} (contents stale). */
        float[] pre(int size) {
            if (pre.length < size) {
                pre = new float[size];
            }
            return pre;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * directGemm: F32 and BF16 weights are read by the tiles straight from the segment, with no panel
     * copy. A copy into a panel serialises the weight stream and the arithmetic on a core (the copy reads
     * DRAM at about half the speed of a plain read here); loads spread among the FMAs of the tile overlap
     * with them instead: an F32 [11008 x 2048] matmul of 12 rows on one thread went from 27-29 to about
     * 40 GFLOP/s in one run. The 4 weight rows of a group stay in L1/L2 while every tile of activation
     * rows passes over them. BF16 rows are read as 32-bit pairs (see rowLoop) against activation rows split
     * into even and odd elements once per call.
     */
    private static void gemmDirect(WeightMatrix w, float[] x, int xo, int n, float[] split, int r0, int r1, float[] out,
                                   int oo, Scratch sc) {
        int cols = w.cols(), rows = w.rows();
        boolean bf16 = w.format() == WeightFormat.BF16;
        // BF16 tiles read the even/odd split of x (see precompute): row i at i * xStride
        float[] xs = bf16 ? split : x;
        int xso = bf16 ? 0 : xo, xStride = bf16 ? 2 * (cols >>> 1) : cols;
        int vec = bf16 ? 2 * I.loopBound(cols >>> 1) : F.loopBound(cols); // columns the vector loops cover
        MemorySegment seg = w.data();
        long rb = w.rowBytes();
        float[] res = sc.res;
        int twos = n % 3 == 1 && n >= 4 ? 2 : n % 3 == 2 ? 1 : 0; // tiles of 3 rows, then of 2 (of 1 only when n = 1)
        for (int r = r0; r < r1; r += 4) {
            int rn = Math.min(4, r1 - r);
            if (rn < 4) {
                for (int j = 0; j < rn; j++) {
                    for (int i = 0; i < n; i++) {
                        out[oo + i * rows + r + j] += dotDirect(w, seg, (r + j) * rb, cols, x, xo + i * cols, xs, xso + i * xStride);
                    }
                }
                continue;
            }
            long base = r * rb;
            int i = 0;
            for (; i + 3 <= n - 2 * twos; i += 3) {
                if (bf16) {
                    bf16x3(seg, base, rb, cols, xs, xso + i * xStride, xStride, res);
                } else {
                    f32x3(seg, base, rb, cols, x, xo + i * cols, cols, res);
                }
                for (int t = 0; t < 3; t++) {
                    int o = oo + (i + t) * rows + r;
                    for (int j = 0; j < 4; j++) {
                        out[o + j] += res[3 * j + t] + tailDirect(w, seg, base + j * rb, vec, cols, x, xo + (i + t) * cols);
                    }
                }
            }
            for (; i + 2 <= n; i += 2) {
                if (bf16) {
                    bf16x2(seg, base, rb, cols, xs, xso + i * xStride, xStride, res);
                } else {
                    f32x2(seg, base, rb, cols, x, xo + i * cols, cols, res);
                }
                for (int t = 0; t < 2; t++) {
                    int o = oo + (i + t) * rows + r;
                    for (int j = 0; j < 4; j++) {
                        out[o + j] += res[2 * j + t] + tailDirect(w, seg, base + j * rb, vec, cols, x, xo + (i + t) * cols);
                    }
                }
            }
            for (; i < n; i++) {
                for (int j = 0; j < 4; j++) {
                    out[oo + i * rows + r + j] += dotDirect(w, seg, base + j * rb, cols, x, xo + i * cols, xs, xso + i * xStride);
                }
            }
        }
    }

    /** One F32 or BF16 row (at byte offset base) . one activation row (xs: its even/odd split for BF16). */
    private static float dotDirect(WeightMatrix w, MemorySegment seg, long base, int cols, float[] x, int xo,
                                   float[] xs, int xso) {
        return w.format() == WeightFormat.BF16 ? dotBf16(seg, base, cols, x, xo, xs, xso) : dotF32(seg, base, cols, x, xo);
    }

    /** The scalar dot of the columns [vec, cols) the direct tiles' vector loops leave. */
    private static float tailDirect(WeightMatrix w, MemorySegment seg, long base, int vec, int cols, float[] x, int xo) {
        return vec == cols ? 0f : tail(w.format(), seg, base, vec, cols, x, xo);
    }

    /** res[3 * j + t] = F32 weight row j of the group at base . x row t (x rows {@code stride} apart). */
    private static void f32x3(MemorySegment seg, long base, long rb, int cols, float[] x, int x0, int stride, float[] res) {
        int x1 = x0 + stride, x2 = x1 + stride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00,
                a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
        long len = 4L * F.loopBound(cols);
        MemorySegment w0 = seg.asSlice(base, len), w1 = seg.asSlice(base + rb, len), // see rowLoop
                w2 = seg.asSlice(base + 2 * rb, len), w3 = seg.asSlice(base + 3 * rb, len);
        int c = 0;
        for (long o = 0, end = w0.byteSize(); o < end; o += 4L * L, c += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + c);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + c);
            FloatVector w = FloatVector.fromMemorySegment(F, w0, o, LE);
            a00 = w.fma(v0, a00);
            a01 = w.fma(v1, a01);
            a02 = w.fma(v2, a02);
            w = FloatVector.fromMemorySegment(F, w1, o, LE);
            a10 = w.fma(v0, a10);
            a11 = w.fma(v1, a11);
            a12 = w.fma(v2, a12);
            w = FloatVector.fromMemorySegment(F, w2, o, LE);
            a20 = w.fma(v0, a20);
            a21 = w.fma(v1, a21);
            a22 = w.fma(v2, a22);
            w = FloatVector.fromMemorySegment(F, w3, o, LE);
            a30 = w.fma(v0, a30);
            a31 = w.fma(v1, a31);
            a32 = w.fma(v2, a32);
        }
        // reduced here, not in a helper: a call C2 does not inline (node count) would box the 12 vectors
        res[0] = a00.reduceLanes(ADD);
        res[1] = a01.reduceLanes(ADD);
        res[2] = a02.reduceLanes(ADD);
        res[3] = a10.reduceLanes(ADD);
        res[4] = a11.reduceLanes(ADD);
        res[5] = a12.reduceLanes(ADD);
        res[6] = a20.reduceLanes(ADD);
        res[7] = a21.reduceLanes(ADD);
        res[8] = a22.reduceLanes(ADD);
        res[9] = a30.reduceLanes(ADD);
        res[10] = a31.reduceLanes(ADD);
        res[11] = a32.reduceLanes(ADD);
    }

    /** res[2 * j + t] = F32 weight row j of the group at base . x row t. */
    private static void f32x2(MemorySegment seg, long base, long rb, int cols, float[] x, int x0, int stride, float[] res) {
        int x1 = x0 + stride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        long len = 4L * F.loopBound(cols);
        MemorySegment w0 = seg.asSlice(base, len), w1 = seg.asSlice(base + rb, len),
                w2 = seg.asSlice(base + 2 * rb, len), w3 = seg.asSlice(base + 3 * rb, len);
        int c = 0;
        for (long o = 0, end = w0.byteSize(); o < end; o += 4L * L, c += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + c);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector w = FloatVector.fromMemorySegment(F, w0, o, LE);
            a00 = w.fma(v0, a00);
            a01 = w.fma(v1, a01);
            w = FloatVector.fromMemorySegment(F, w1, o, LE);
            a10 = w.fma(v0, a10);
            a11 = w.fma(v1, a11);
            w = FloatVector.fromMemorySegment(F, w2, o, LE);
            a20 = w.fma(v0, a20);
            a21 = w.fma(v1, a21);
            w = FloatVector.fromMemorySegment(F, w3, o, LE);
            a30 = w.fma(v0, a30);
            a31 = w.fma(v1, a31);
        }
        res[0] = a00.reduceLanes(ADD);
        res[1] = a01.reduceLanes(ADD);
        res[2] = a10.reduceLanes(ADD);
        res[3] = a11.reduceLanes(ADD);
        res[4] = a20.reduceLanes(ADD);
        res[5] = a21.reduceLanes(ADD);
        res[6] = a30.reduceLanes(ADD);
        res[7] = a31.reduceLanes(ADD);
    }

    /**
     * res[3 * j + t] = BF16 weight row j of the group at base . x row t, the x rows given as their even/odd
     * split (row t at x0 + t * stride: P even elements then P odd ones, P = stride / 2).
     */
    private static void bf16x3(MemorySegment seg, long base, long rb, int cols, float[] xs, int x0, int stride, float[] res) {
        int p = stride >>> 1, x1 = x0 + stride, x2 = x1 + stride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00,
                a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
        long len = 4L * I.loopBound(cols >>> 1);
        MemorySegment w0 = seg.asSlice(base, len), w1 = seg.asSlice(base + rb, len),
                w2 = seg.asSlice(base + 2 * rb, len), w3 = seg.asSlice(base + 3 * rb, len);
        int k = 0;
        for (long o = 0, end = w0.byteSize(); o < end; o += 4L * L, k += L) {
            FloatVector e0 = FloatVector.fromArray(F, xs, x0 + k), d0 = FloatVector.fromArray(F, xs, x0 + p + k);
            FloatVector e1 = FloatVector.fromArray(F, xs, x1 + k), d1 = FloatVector.fromArray(F, xs, x1 + p + k);
            FloatVector e2 = FloatVector.fromArray(F, xs, x2 + k), d2 = FloatVector.fromArray(F, xs, x2 + p + k);
            IntVector v = IntVector.fromMemorySegment(I, w0, o, LE);
            FloatVector we = v.lanewise(LSHL, 16).reinterpretAsFloats(), wo = v.and(0xFFFF0000).reinterpretAsFloats();
            a00 = wo.fma(d0, we.fma(e0, a00));
            a01 = wo.fma(d1, we.fma(e1, a01));
            a02 = wo.fma(d2, we.fma(e2, a02));
            v = IntVector.fromMemorySegment(I, w1, o, LE);
            we = v.lanewise(LSHL, 16).reinterpretAsFloats();
            wo = v.and(0xFFFF0000).reinterpretAsFloats();
            a10 = wo.fma(d0, we.fma(e0, a10));
            a11 = wo.fma(d1, we.fma(e1, a11));
            a12 = wo.fma(d2, we.fma(e2, a12));
            v = IntVector.fromMemorySegment(I, w2, o, LE);
            we = v.lanewise(LSHL, 16).reinterpretAsFloats();
            wo = v.and(0xFFFF0000).reinterpretAsFloats();
            a20 = wo.fma(d0, we.fma(e0, a20));
            a21 = wo.fma(d1, we.fma(e1, a21));
            a22 = wo.fma(d2, we.fma(e2, a22));
            v = IntVector.fromMemorySegment(I, w3, o, LE);
            we = v.lanewise(LSHL, 16).reinterpretAsFloats();
            wo = v.and(0xFFFF0000).reinterpretAsFloats();
            a30 = wo.fma(d0, we.fma(e0, a30));
            a31 = wo.fma(d1, we.fma(e1, a31));
            a32 = wo.fma(d2, we.fma(e2, a32));
        }
        // reduced here, not in a helper: a call C2 does not inline (node count) would box the 12 vectors
        res[0] = a00.reduceLanes(ADD);
        res[1] = a01.reduceLanes(ADD);
        res[2] = a02.reduceLanes(ADD);
        res[3] = a10.reduceLanes(ADD);
        res[4] = a11.reduceLanes(ADD);
        res[5] = a12.reduceLanes(ADD);
        res[6] = a20.reduceLanes(ADD);
        res[7] = a21.reduceLanes(ADD);
        res[8] = a22.reduceLanes(ADD);
        res[9] = a30.reduceLanes(ADD);
        res[10] = a31.reduceLanes(ADD);
        res[11] = a32.reduceLanes(ADD);
    }

    /** res[2 * j + t] = BF16 weight row j of the group at base . x row t (split as in bf16x3). */
    private static void bf16x2(MemorySegment seg, long base, long rb, int cols, float[] xs, int x0, int stride, float[] res) {
        int p = stride >>> 1, x1 = x0 + stride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        long len = 4L * I.loopBound(cols >>> 1);
        MemorySegment w0 = seg.asSlice(base, len), w1 = seg.asSlice(base + rb, len),
                w2 = seg.asSlice(base + 2 * rb, len), w3 = seg.asSlice(base + 3 * rb, len);
        int k = 0;
        for (long o = 0, end = w0.byteSize(); o < end; o += 4L * L, k += L) {
            FloatVector e0 = FloatVector.fromArray(F, xs, x0 + k), d0 = FloatVector.fromArray(F, xs, x0 + p + k);
            FloatVector e1 = FloatVector.fromArray(F, xs, x1 + k), d1 = FloatVector.fromArray(F, xs, x1 + p + k);
            IntVector v = IntVector.fromMemorySegment(I, w0, o, LE);
            FloatVector we = v.lanewise(LSHL, 16).reinterpretAsFloats(), wo = v.and(0xFFFF0000).reinterpretAsFloats();
            a00 = wo.fma(d0, we.fma(e0, a00));
            a01 = wo.fma(d1, we.fma(e1, a01));
            v = IntVector.fromMemorySegment(I, w1, o, LE);
            we = v.lanewise(LSHL, 16).reinterpretAsFloats();
            wo = v.and(0xFFFF0000).reinterpretAsFloats();
            a10 = wo.fma(d0, we.fma(e0, a10));
            a11 = wo.fma(d1, we.fma(e1, a11));
            v = IntVector.fromMemorySegment(I, w2, o, LE);
            we = v.lanewise(LSHL, 16).reinterpretAsFloats();
            wo = v.and(0xFFFF0000).reinterpretAsFloats();
            a20 = wo.fma(d0, we.fma(e0, a20));
            a21 = wo.fma(d1, we.fma(e1, a21));
            v = IntVector.fromMemorySegment(I, w3, o, LE);
            we = v.lanewise(LSHL, 16).reinterpretAsFloats();
            wo = v.and(0xFFFF0000).reinterpretAsFloats();
            a30 = wo.fma(d0, we.fma(e0, a30));
            a31 = wo.fma(d1, we.fma(e1, a31));
        }
        res[0] = a00.reduceLanes(ADD);
        res[1] = a01.reduceLanes(ADD);
        res[2] = a10.reduceLanes(ADD);
        res[3] = a11.reduceLanes(ADD);
        res[4] = a20.reduceLanes(ADD);
        res[5] = a21.reduceLanes(ADD);
        res[6] = a30.reduceLanes(ADD);
        res[7] = a31.reduceLanes(ADD);
    }

    /** res[3 * j + t] = panel row j . x row t over kc columns (x rows {@code stride} apart). */
    private static void tile4x3(float[] p, int kc, float[] x, int x0, int stride, float[] res) {
        int x1 = x0 + stride, x2 = x1 + stride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00,
                a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
        int ub = F.loopBound(kc);
        for (int c = 0; c < ub; c += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + c);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + c);
            FloatVector w = FloatVector.fromArray(F, p, c);
            a00 = w.fma(v0, a00);
            a01 = w.fma(v1, a01);
            a02 = w.fma(v2, a02);
            w = FloatVector.fromArray(F, p, KC + c);
            a10 = w.fma(v0, a10);
            a11 = w.fma(v1, a11);
            a12 = w.fma(v2, a12);
            w = FloatVector.fromArray(F, p, 2 * KC + c);
            a20 = w.fma(v0, a20);
            a21 = w.fma(v1, a21);
            a22 = w.fma(v2, a22);
            w = FloatVector.fromArray(F, p, 3 * KC + c);
            a30 = w.fma(v0, a30);
            a31 = w.fma(v1, a31);
            a32 = w.fma(v2, a32);
        }
        res[0] = a00.reduceLanes(ADD);
        res[1] = a01.reduceLanes(ADD);
        res[2] = a02.reduceLanes(ADD);
        res[3] = a10.reduceLanes(ADD);
        res[4] = a11.reduceLanes(ADD);
        res[5] = a12.reduceLanes(ADD);
        res[6] = a20.reduceLanes(ADD);
        res[7] = a21.reduceLanes(ADD);
        res[8] = a22.reduceLanes(ADD);
        res[9] = a30.reduceLanes(ADD);
        res[10] = a31.reduceLanes(ADD);
        res[11] = a32.reduceLanes(ADD);
        for (int c = ub; c < kc; c++) {
            for (int j = 0; j < 4; j++) {
                float wv = p[j * KC + c];
                res[3 * j] += wv * x[x0 + c];
                res[3 * j + 1] += wv * x[x1 + c];
                res[3 * j + 2] += wv * x[x2 + c];
            }
        }
    }

    /** res[2 * j + t] = panel row j . x row t over kc columns. */
    private static void tile4x2(float[] p, int kc, float[] x, int x0, int stride, float[] res) {
        int x1 = x0 + stride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        int ub = F.loopBound(kc);
        for (int c = 0; c < ub; c += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + c);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector w = FloatVector.fromArray(F, p, c);
            a00 = w.fma(v0, a00);
            a01 = w.fma(v1, a01);
            w = FloatVector.fromArray(F, p, KC + c);
            a10 = w.fma(v0, a10);
            a11 = w.fma(v1, a11);
            w = FloatVector.fromArray(F, p, 2 * KC + c);
            a20 = w.fma(v0, a20);
            a21 = w.fma(v1, a21);
            w = FloatVector.fromArray(F, p, 3 * KC + c);
            a30 = w.fma(v0, a30);
            a31 = w.fma(v1, a31);
        }
        res[0] = a00.reduceLanes(ADD);
        res[1] = a01.reduceLanes(ADD);
        res[2] = a10.reduceLanes(ADD);
        res[3] = a11.reduceLanes(ADD);
        res[4] = a20.reduceLanes(ADD);
        res[5] = a21.reduceLanes(ADD);
        res[6] = a30.reduceLanes(ADD);
        res[7] = a31.reduceLanes(ADD);
        for (int c = ub; c < kc; c++) {
            for (int j = 0; j < 4; j++) {
                float wv = p[j * KC + c];
                res[2 * j] += wv * x[x0 + c];
                res[2 * j + 1] += wv * x[x1 + c];
            }
        }
    }

    /** res[j] = panel row j . x over kc columns. */
    private static void tile4x1(float[] p, int kc, float[] x, int x0, float[] res) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int ub = F.loopBound(kc);
        for (int c = 0; c < ub; c += L) {
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            a0 = FloatVector.fromArray(F, p, c).fma(v, a0);
            a1 = FloatVector.fromArray(F, p, KC + c).fma(v, a1);
            a2 = FloatVector.fromArray(F, p, 2 * KC + c).fma(v, a2);
            a3 = FloatVector.fromArray(F, p, 3 * KC + c).fma(v, a3);
        }
        res[0] = a0.reduceLanes(ADD);
        res[1] = a1.reduceLanes(ADD);
        res[2] = a2.reduceLanes(ADD);
        res[3] = a3.reduceLanes(ADD);
        for (int c = ub; c < kc; c++) {
            for (int j = 0; j < 4; j++) {
                res[j] += p[j * KC + c] * x[x0 + c];
            }
        }
    }
}
