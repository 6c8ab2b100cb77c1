package io.soundflow.bench.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.LSHL;
/**
 * Why the matvec rows are read through slices (see {@code MatmulOps}, "rowLoop"): the BF16 dot product of
 * the decode matvec in three loop forms over the same 180 MB of weights on 2 threads, alternating in one
 * JVM: a loop bounded by the column count over the whole segment (the form before), the same over a
 * per-row slice, and a loop bounded by the per-row slice's size (the form used now).
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp tools/target/soundflow.jar io.soundflow.bench.kernels.RowLoopProbe</pre>
 */
public final class RowLoopProbe {
    private RowLoopProbe() {
    }

    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final int L = F.length();
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static float oldBf16(MemorySegment seg, long base, int cols, float[] split) {
        int pairs = cols >>> 1;
        FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
        int k = 0;
        for (int ub = pairs - 2 * L + 1; k < ub; k += 2 * L) {
            long at = base + 4L * k;
            IntVector v0 = IntVector.fromMemorySegment(I, seg, at, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, seg, at + 4L * L, LE);
            e0 = v0.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k), e0);
            o0 = v0.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, pairs + k), o0);
            e1 = v1.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k + L), e1);
            o1 = v1.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, pairs + k + L), o1);
        }
        return e0.add(o0).add(e1.add(o1)).reduceLanes(ADD);
    }
    static float sliceBf16(MemorySegment seg, long base, int cols, float[] split) {
        int pairs = cols >>> 1;
        MemorySegment row = seg.asSlice(base, 2L * cols);
        FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
        int k = 0;
        long n = row.byteSize();
        for (long at = 0; at + 8L * L <= n; at += 8L * L, k += 2 * L) {
            IntVector v0 = IntVector.fromMemorySegment(I, row, at, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, row, at + 4L * L, LE);
            e0 = v0.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k), e0);
            o0 = v0.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, pairs + k), o0);
            e1 = v1.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k + L), e1);
            o1 = v1.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, pairs + k + L), o1);
        }
        return e0.add(o0).add(e1.add(o1)).reduceLanes(ADD);
    }
    static float sliceOnly(MemorySegment seg, long base, int cols, float[] split) {
        return oldBf16(seg.asSlice(base, 2L * cols), 0, cols, split);
    }
    interface Dot { float dot(MemorySegment s, long base, int cols, float[] split); }
    static double run(ExecutorService ex, MemorySegment seg, int rows, int cols, float[] split, Dot d) throws Exception {
        long rb = 2L * cols;
        double best = 0;
        float[] out = new float[rows];
        for (int r = 0; r < 8; r++) {
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 2; t++) { int tt = t; fs.add(ex.submit(() -> { int a = rows * tt / 2, b = rows * (tt + 1) / 2; for (int i = a; i < b; i++) out[i] = d.dot(seg, i * rb, cols, split); })); }
            for (var f : fs) f.get();
            double g = rows * rb / (double) (System.nanoTime() - t0);
            if (r > 1) best = Math.max(best, g);
        }
        return best;
    }
    public static void main(String[] a) throws Exception {
        int rows = 11008 * 4, cols = 2048; // 180 MB of bf16 weights: beyond the caches
        Arena arena = Arena.ofShared();
        MemorySegment seg = arena.allocate(2L * rows * cols, 64);
        for (long i = 0; i < seg.byteSize(); i += 2) seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) 0x3f80);
        float[] split = new float[cols]; Arrays.fill(split, 0.5f);
        ExecutorService ex = Executors.newFixedThreadPool(2);
        for (int w = 0; w < 3; w++) { run(ex, seg, rows, cols, split, RowLoopProbe::oldBf16); run(ex, seg, rows, cols, split, RowLoopProbe::sliceBf16); }
        if (oldBf16(seg, 0, cols, split) != sliceBf16(seg, 0, cols, split)) {
            throw new AssertionError("the loop forms disagree");
        }
        for (int w = 0; w < 3; w++) run(ex, seg, rows, cols, split, RowLoopProbe::sliceOnly);
        for (int r = 0; r < 6; r++) System.out.printf("column-bounded %.1f GB/s   slice-bounded (used) %.1f GB/s   column-bounded over a slice %.1f GB/s%n", run(ex, seg, rows, cols, split, RowLoopProbe::oldBf16), run(ex, seg, rows, cols, split, RowLoopProbe::sliceBf16), run(ex, seg, rows, cols, split, RowLoopProbe::sliceOnly));
        ex.shutdown();
        arena.close();
    }
}
