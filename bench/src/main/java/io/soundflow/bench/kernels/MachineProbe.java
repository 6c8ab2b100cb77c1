package io.soundflow.bench.kernels;

import io.soundflow.kernels.DeviceCeilings;
import io.soundflow.kernels.KernelPool;
import io.soundflow.kernels.Kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.DoubleAdder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * This machine's ceilings, measured with all kernel-pool threads: the read bandwidth of an off-heap
 * buffer much larger than the last-level cache (weights are off-heap), and the float32 FMA peak of
 * {@link FloatVector} at the preferred width with 12 independent accumulators per thread.
 */
public final class MachineProbe {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();

    private MachineProbe() {
    }

    /** Measured ceilings. */
    public record Ceilings(double readGBs, double fmaGflops, int threads, int vectorBits) {
    }

    /**
     * The ceilings of the hardware {@code k} runs on: its device's ({@link DeviceCeilings}, e.g. the opencl
     * backend's GPU), else this machine's ({@link #measure(long, int)}).
     */
    public static Ceilings measure(Kernels k, long bufferBytes, int rounds) {
        if (k instanceof DeviceCeilings d) {
            return new Ceilings(d.readGBs(bufferBytes, rounds), d.fmaGflops(rounds), 1, 0);
        }
        return measure(bufferBytes, rounds);
    }

    /** Best of {@code rounds} timed passes of each probe (after one warm-up pass). */
    public static Ceilings measure(long bufferBytes, int rounds) {
        return new Ceilings(readBandwidth(bufferBytes, rounds), fmaPeak(rounds), KernelPool.get().threads(),
                F.vectorBitSize());
    }

    /** GB/s reading {@code bytes} of off-heap memory with all pool threads; best of rounds. */
    public static double readBandwidth(long bytes, int rounds) {
        try (Arena arena = Arena.ofShared()) {
            long chunk = 1L << 20; // pieces of 1 MiB
            int chunks = (int) (bytes / chunk);
            MemorySegment seg = arena.allocate(chunks * chunk, 64);
            KernelPool.get().forRange(chunks, 1, (a, b) -> seg.asSlice(a * chunk, (b - a) * chunk).fill((byte) 1));
            double best = 0;
            DoubleAdder sink = new DoubleAdder();
            long t = System.nanoTime(); // warm the loop up on a cache-sized slice first
            while (System.nanoTime() - t < 1e9) {
                sink.add(sum(seg, 0, 4L << 20));
            }
            for (int round = 0; round <= rounds; round++) {
                long t0 = System.nanoTime();
                KernelPool.get().forPieces(chunks, 1, (a, b) -> sink.add(sum(seg, a * chunk, b * chunk)));
                double gbs = (double) chunks * chunk / (System.nanoTime() - t0);
                if (round > 0) {
                    best = Math.max(best, gbs);
                }
            }
            if (sink.sum() == 42) {
                System.out.print("");
            }
            return best;
        }
    }

    private static float sum(MemorySegment seg, long from, long to) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long step = 4L * F.vectorByteSize();
        for (long o = from; o < to; o += step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, seg, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, seg, o + F.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, seg, o + 2L * F.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, seg, o + 3L * F.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }

    /** GFLOP/s of float32 FMA (2 flops per lane) with all pool threads; best of rounds. */
    public static double fmaPeak(int rounds) {
        int threads = KernelPool.get().threads();
        int iters = 20_000_000;
        DoubleAdder sink = new DoubleAdder();
        double best = 0;
        for (int round = 0; round <= rounds + 1; round++) {
            long t0 = System.nanoTime();
            KernelPool.get().forPieces(threads, 1, (a, b) -> {
                for (int t = a; t < b; t++) {
                    sink.add(fmaLoop(iters));
                }
            });
            double gflops = 2.0 * 12 * L * (double) iters * threads / (System.nanoTime() - t0);
            if (round > 1) {
                best = Math.max(best, gflops);
            }
        }
        if (sink.sum() == 42) {
            System.out.print("");
        }
        return best;
    }

    private static float fmaLoop(int iters) {
        FloatVector m = FloatVector.broadcast(F, 0.999999f), c = FloatVector.broadcast(F, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(F, 1f), a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f),
                a4 = a0.add(4f), a5 = a0.add(5f), a6 = a0.add(6f), a7 = a0.add(7f), a8 = a0.add(8f),
                a9 = a0.add(9f), a10 = a0.add(10f), a11 = a0.add(11f);
        for (int i = 0; i < iters; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
