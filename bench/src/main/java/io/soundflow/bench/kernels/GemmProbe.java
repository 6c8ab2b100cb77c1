package io.soundflow.bench.kernels;

import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.KernelPool;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;
import io.soundflow.kernels.vector.VectorKernels;

import java.lang.foreign.Arena;
import java.util.Locale;
import java.util.Random;

/**
 * The GEMM-shaped cases of issue 9 (listening blocks of 13 rows, drains, a 50-token prefill, encoder windows)
 * against the FMA peak measured between them in the same JVM, so a shared host's noise hits both sides:
 * {@code java --add-modules=jdk.incubator.vector -cp tools/target/soundflow.jar io.soundflow.bench.kernels.GemmProbe [rounds] [formats] [matvec|gemm|cached|all]}
 * ({@code -Dsoundflow.threads=1} for one core). Each line: the case, then for the matrix as stored (the row
 * tiles) and as uploaded (the backend's layout: at 512 bits the panels of the outer-product kernel) GFLOP/s
 * and the fraction of the peak taken just before the pair.
 */
public final class GemmProbe {
    private GemmProbe() {
    }

    /** {n, rows, cols}: decoder gate/up over a 13-row block and a 50-token prefill, o over 13 rows, encoder fc1 and q over a chunk (20 rows), fc1 over 40 and 200 frames. */
    static final int[][] CASES = {{13, 11008, 2048}, {13, 2048, 2048}, {50, 11008, 2048}, {20, 5120, 1280}, {20, 1280, 1280}, {40, 5120, 1280}, {200, 5120, 1280}};
    /** {rows, cols} of the decode step's matvecs: gate/up, down, q and o, k and v, and (with {@code -Dprobe.lmHead=true}) the lm_head. */
    static final int[][] MATVECS = {{11008, 2048}, {2048, 11008}, {2048, 2048}, {256, 2048}, {151936, 2048}};

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String fmts = args.length > 1 ? args[1] : "F32,BF16,Q8_0,Q4_0";
        String which = args.length > 2 ? args[2] : "all"; // matvec, gemm or all
        VectorKernels k = new VectorKernels();
        System.out.printf(Locale.ROOT, "GemmProbe: %s, %d threads%n", k.name(), KernelPool.get().threads());
        Random rnd = new Random(3);
        for (String fn : fmts.split(",")) {
            WeightFormat f = WeightFormat.valueOf(fn.trim());
            if (which.equals("cached")) {
                cachedMatvec(k, f, rounds, rnd);
                continue;
            }
            for (int[] c : which.equals("gemm") ? new int[0][] : MATVECS) {
                if (c[0] > 100_000 && !Boolean.getBoolean("probe.lmHead")) {
                    continue;
                }
                matvec(k, f, c[0], c[1], rounds, rnd);
            }
            for (int[] c : which.equals("matvec") ? new int[0][] : CASES) {
                int n = c[0], rows = c[1], cols = c[2];
                try (Arena arena = Arena.ofShared()) {
                    WeightMatrix stored = BenchWeights.random(f, rows, cols, arena, 5), uploaded = k.upload(stored);
                    float[] xs = new float[n * cols];
                    for (int i = 0; i < xs.length; i++) {
                        xs[i] = (float) rnd.nextGaussian();
                    }
                    FloatBuf x = k.upload(xs), out = k.alloc(n * rows);
                    double flop = 2.0 * n * rows * cols;
                    int reps = (int) Math.max(3, 4e9 / flop);
                    time(k, stored, x, n, out, reps);
                    time(k, uploaded, x, n, out, reps);
                    for (int r = 0; r < rounds; r++) {
                        double peak = MachineProbe.fmaPeak(1);
                        double gs = flop * reps / time(k, stored, x, n, out, reps);
                        double gu = flop * reps / time(k, uploaded, x, n, out, reps);
                        System.out.printf(Locale.ROOT, "%-5s n=%-3d [%d x %d]  stored %6.1f GFLOP/s %3.0f%%  uploaded %6.1f GFLOP/s %3.0f%%  peak %6.1f%n",
                                f, n, rows, cols, gs, 100 * gs / peak, gu, 100 * gu / peak, peak);
                    }
                }
            }
        }
    }

    /**
     * One activation row: GB/s of weights read, stored against uploaded, beside the read bandwidth measured
     * just before. As in a decode step, every matvec reads its weights from memory: the probe cycles through
     * enough copies of the matrix (at least 512 MB) that none is still in the cache when it comes round.
     */
    private static void matvec(VectorKernels k, WeightFormat f, int rows, int cols, int rounds, Random rnd) {
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix one = BenchWeights.random(f, rows, cols, arena, 5);
            double bytes = (double) rows * one.rowBytes();
            int copies = (int) Math.ceil((512L << 20) / bytes);
            WeightMatrix[] stored = new WeightMatrix[copies], uploaded = new WeightMatrix[copies];
            for (int c = 0; c < copies; c++) {
                stored[c] = c == 0 ? one : BenchWeights.random(f, rows, cols, arena, 5 + c);
                uploaded[c] = k.upload(stored[c]);
            }
            float[] xs = new float[cols];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) rnd.nextGaussian();
            }
            FloatBuf x = k.upload(xs), out = k.alloc(rows);
            int reps = copies * (int) Math.max(2, 2e9 / (bytes * copies));
            time(k, stored, x, 1, out, reps);
            time(k, uploaded, x, 1, out, reps);
            for (int r = 0; r < rounds; r++) {
                double bw = MachineProbe.readBandwidth(1L << 30, 1);
                double gs = bytes * reps / time(k, stored, x, 1, out, reps);
                double gu = bytes * reps / time(k, uploaded, x, 1, out, reps);
                System.out.printf(Locale.ROOT, "%-5s n=1   [%d x %d]  stored %6.1f GB/s %3.0f%%  uploaded %6.1f GB/s %3.0f%%  read %6.1f GB/s%n",
                        f, rows, cols, gs, 100 * gs / bw, gu, 100 * gu / bw, bw);
            }
        }
    }

    /**
     * The decode kernel's arithmetic alone: a matvec of [1024 x 2048] (2.2 MB at Q8_0, 4 MB at BF16: it stays in
     * the cache across repetitions, and one call is long enough that the dispatch to the threads is small), as GFLOP/s against the FMA peak measured just before. A matvec does one
     * FMA per weight, so 100% means the weight conversion costs nothing; when this fraction times the FMA
     * peak, in weights per second, is below what the read bandwidth delivers, the decode of that format is
     * bound by its arithmetic, not by memory.
     */
    private static void cachedMatvec(VectorKernels k, WeightFormat f, int rounds, Random rnd) {
        int rows = 1024, cols = 2048;
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix uploaded = k.upload(BenchWeights.random(f, rows, cols, arena, 5));
            float[] xs = new float[cols];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) rnd.nextGaussian();
            }
            FloatBuf x = k.upload(xs), out = k.alloc(rows);
            double flop = 2.0 * rows * cols;
            int reps = (int) (2e9 / flop);
            for (int w = 0; w < 3; w++) { // the first two timed rounds ran 30-40% slow while C2 compiled the kernel
                time(k, uploaded, x, 1, out, reps);
            }
            for (int r = 0; r < rounds; r++) {
                double peak = MachineProbe.fmaPeak(1);
                double g = flop * reps / time(k, uploaded, x, 1, out, reps);
                double bw = MachineProbe.readBandwidth(1L << 30, 1);
                double need = bw / (uploaded.rowBytes() / (double) cols); // weights/s the memory delivers, in G
                System.out.printf(Locale.ROOT, "%-5s n=1   [%d x %d] in cache  %6.1f GFLOP/s %3.0f%% of peak %6.1f  = %5.1f G weights/s; read %5.1f GB/s delivers %5.1f G weights/s%n",
                        f, rows, cols, g, 100 * g / peak, peak, g / 2, bw, need);
            }
        }
    }

    /** Nanoseconds for {@code reps} matmuls (n = 1: matvecs), taking the matrices in turn. */
    private static long time(VectorKernels k, WeightMatrix[] ws, FloatBuf x, int n, FloatBuf out, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            k.matmul(ws[i % ws.length], x, n, out, null);
        }
        return System.nanoTime() - t0;
    }

    /** Nanoseconds for {@code reps} matmuls of one matrix. */
    private static long time(VectorKernels k, WeightMatrix w, FloatBuf x, int n, FloatBuf out, int reps) {
        return time(k, new WeightMatrix[]{w}, x, n, out, reps);
    }
}
