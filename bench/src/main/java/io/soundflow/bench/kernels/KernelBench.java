package io.soundflow.bench.kernels;

import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.ScalarKernels;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;
import io.soundflow.kernels.vector.VectorKernels;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The kernel benchmark behind {@code soundflow bench kernels}: a simple harness (warm-up, then timed
 * batches, median batch reported) over the real decoder/encoder shapes, printing each result with its
 * fraction of this machine's measured ceiling ({@link MachineProbe}). The same shapes are JMH
 * benchmarks in {@link MatvecBench} and {@link MatmulBench}.
 */
public final class KernelBench {
    /** Matvec shapes [rows (out), cols (in)] of the 3B decoder: q/o, k/v, gate/up, down, lm_head. */
    public static final int[][] MATVEC_SHAPES = {{2048, 2048}, {256, 2048}, {11008, 2048}, {2048, 11008}, {151936, 2048}};
    /** Matmul cases {n, rows, cols}: a chunk's prefill (13 tokens through gate/up) and an encoder window's fc1. */
    public static final int[][] MATMUL_SHAPES = {{13, 11008, 2048}, {20, 5120, 1280}};
    public static final WeightFormat[] FORMATS = {WeightFormat.BF16, WeightFormat.Q8_0, WeightFormat.Q4_0, WeightFormat.F32};

    /** One measured result. */
    /** One measured result: the median and the best of the timed batches, in {@code unit}. */
    public record Result(String op, String shape, WeightFormat format, String backend, double value, double best,
                         String unit, double ceiling) {
        double percent() {
            return 100 * value / ceiling;
        }
    }

    private final boolean quick;
    private final PrintStream out;

    public KernelBench(boolean quick, PrintStream out) {
        this.quick = quick;
        this.out = out;
    }

    /**
     * Runs the probe, every case, and the probe again, then prints the table; returns the results. The
     * host may be shared, so the ceiling each result is divided by is the higher of the two probes
     * (the conservative choice); progress goes to stderr.
     */
    public List<Result> run() {
        Kernels vector = new VectorKernels(), scalar = new ScalarKernels();
        out.printf(Locale.ROOT, "soundflow bench kernels%s: %d threads, %s, JDK %s%n", quick ? " --quick" : "",
                io.soundflow.kernels.KernelPool.get().threads(), vector.name(), Runtime.version());
        long probeBytes = quick ? 512L << 20 : 1L << 30;
        MachineProbe.Ceilings before = MachineProbe.measure(probeBytes, quick ? 2 : 4);
        warmUp(vector, quick ? 1.0 : 2.5);
        warmUp(scalar, quick ? 0.3 : 0.6);
        List<Result> results = new ArrayList<>();
        for (int[] s : MATVEC_SHAPES) {
            for (WeightFormat f : FORMATS) {
                try (Arena arena = Arena.ofShared()) {
                    WeightMatrix w = BenchWeights.random(f, s[0], s[1], arena, 17);
                    for (Kernels k : new Kernels[]{vector, scalar}) {
                        if (k == scalar && quick && s[0] != 2048) {
                            continue;
                        }
                        double[] sec = time(matvec(k, w), k == scalar);
                        double gb = w.data().byteSize() / 1e9;
                        results.add(progress(new Result("matvec", s[0] + "x" + s[1], f, k.name(),
                                gb / sec[0], gb / sec[1], "GB/s", 0)));
                    }
                }
            }
        }
        for (int[] s : MATMUL_SHAPES) {
            for (WeightFormat f : FORMATS) {
                try (Arena arena = Arena.ofShared()) {
                    WeightMatrix w = BenchWeights.random(f, s[1], s[2], arena, 19);
                    for (Kernels k : new Kernels[]{vector, scalar}) {
                        if (k == scalar && quick && f != WeightFormat.BF16) {
                            continue;
                        }
                        double[] sec = time(matmul(k, w, s[0]), k == scalar);
                        double gflop = 2.0 * s[0] * s[1] * s[2] / 1e9;
                        results.add(progress(new Result("matmul", s[0] + "x" + s[2] + " by " + s[2] + "x" + s[1], f,
                                k.name(), gflop / sec[0], gflop / sec[1], "GFLOP/s", 0)));
                    }
                }
            }
        }
        System.err.println();
        MachineProbe.Ceilings after = MachineProbe.measure(probeBytes, quick ? 2 : 4);
        double read = Math.max(before.readGBs(), after.readGBs()), fma = Math.max(before.fmaGflops(), after.fmaGflops());
        out.printf(Locale.ROOT, "ceilings (%d threads, FloatVector %d-bit): read %.1f GB/s off-heap (probes %.1f, %.1f), "
                        + "FP32 FMA %.1f GFLOP/s (probes %.1f, %.1f)%n", before.threads(), before.vectorBits(),
                read, before.readGBs(), after.readGBs(), fma, before.fmaGflops(), after.fmaGflops());
        out.printf(Locale.ROOT, "%-7s %-25s %-5s %-12s %9s %9s %-8s %8s %8s %8s%n", "op", "shape", "fmt", "backend",
                "median", "best", "unit", "%ceil", "best%", "vec/sca");
        List<Result> table = new ArrayList<>();
        for (Result r : results) {
            Result withCeiling = new Result(r.op(), r.shape(), r.format(), r.backend(), r.value(), r.best(), r.unit(),
                    r.unit().equals("GB/s") ? read : fma);
            table.add(withCeiling);
        }
        for (Result r : table) {
            print(r, table);
        }
        return table;
    }

    private Result progress(Result r) {
        System.err.print(".");
        System.err.flush();
        return r;
    }

    /**
     * Runs every matvec and matmul path on small matrices until the JIT has compiled them: Vector API
     * code runs hundreds of times slower before C2 compiles it, and the big shapes call it too few
     * times to warm up on their own.
     */
    static void warmUp(Kernels k, double secondsPerFormat) {
        for (WeightFormat f : WeightFormat.values()) {
            try (Arena arena = Arena.ofShared()) {
                WeightMatrix w = BenchWeights.random(f, 256, 2048, arena, 23);
                Runnable mv = matvec(k, w);
                // every row count the matmul cases time (each takes its own tile path: 13 fused, 20 tiles of 10)
                List<Runnable> mms = Arrays.stream(MATMUL_SHAPES).map(s -> matmul(k, w, s[0])).toList();
                long t0 = System.nanoTime();
                while (System.nanoTime() - t0 < secondsPerFormat * 1e9) {
                    mv.run();
                    mms.forEach(Runnable::run);
                }
            }
        }
    }

    /** One table row; for the vector backend also its speed-up over scalar on the same case. */
    private void print(Result r, List<Result> all) {
        String ratio = "";
        if (!r.backend().equals("scalar")) {
            for (Result o : all) {
                if (o.backend().equals("scalar") && o.op().equals(r.op()) && o.shape().equals(r.shape())
                        && o.format() == r.format()) {
                    ratio = String.format(Locale.ROOT, "%.1fx", r.value() / o.value());
                }
            }
        }
        out.printf(Locale.ROOT, "%-7s %-25s %-5s %-12s %9.2f %9.2f %-8s %7.1f%% %7.1f%% %8s%n", r.op(), r.shape(),
                r.format(), r.backend(), r.value(), r.best(), r.unit(), r.percent(), 100 * r.best() / r.ceiling(), ratio);
    }

    /** The matvec of {@code stored} as the engine runs it: uploaded first (the backend's own layout). */
    static Runnable matvec(Kernels k, WeightMatrix stored) {
        WeightMatrix w = k.upload(stored);
        FloatBuf x = k.upload(BenchWeights.activations(w.cols(), 3)), y = k.alloc(w.rows());
        return () -> k.matvec(w, x, y, null);
    }

    static Runnable matmul(Kernels k, WeightMatrix stored, int n) {
        WeightMatrix w = k.upload(stored);
        FloatBuf x = k.upload(BenchWeights.activations(n * w.cols(), 5)), y = k.alloc(n * w.rows());
        return () -> k.matmul(w, x, n, y, null);
    }

    /** Seconds per call {median, best} over 5 timed batches after a warm-up. */
    private double[] time(Runnable op, boolean slow) {
        double warm = quick ? 0.3 : 1.0, measure = quick ? 0.5 : 1.5;
        if (slow) {
            warm /= 2;
            measure /= 2;
        }
        long t0 = System.nanoTime();
        int calls = 0;
        while (calls < 2 || System.nanoTime() - t0 < warm * 1e9) {
            op.run();
            calls++;
        }
        double perCall = (System.nanoTime() - t0) / 1e9 / calls;
        int batch = (int) Math.max(1, measure / 5 / perCall);
        double[] batches = new double[5];
        for (int b = 0; b < 5; b++) {
            long s = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                op.run();
            }
            batches[b] = (System.nanoTime() - s) / 1e9 / batch;
        }
        Arrays.sort(batches);
        return new double[]{batches[2], batches[0]};
    }

    public static void main(String[] args) {
        new KernelBench(Arrays.asList(args).contains("--quick"), System.out).run();
    }
}
