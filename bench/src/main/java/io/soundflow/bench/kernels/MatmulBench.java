package io.soundflow.bench.kernels;

import io.soundflow.kernels.Backends;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * Matmul for a chunk's prefill (x [13, 2048] by W^T [2048, 11008]) and an encoder window
 * (x [20, 1280] by W^T [1280, 5120]). GFLOP/s = 2 n rows cols / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulBench {
    /** n x cols by cols x rows. */
    @Param({"13x2048x11008", "20x1280x5120"})
    public String shape;
    @Param({"F32", "BF16", "Q8_0", "Q4_0"})
    public String format;
    @Param({"vector", "scalar"})
    public String backend;

    private Arena arena;
    private Kernels k;
    private WeightMatrix w;
    private FloatBuf x, y;
    private int n;

    @Setup(Level.Trial)
    public void setUp() {
        String[] s = shape.split("x");
        n = Integer.parseInt(s[0]);
        arena = Arena.ofShared();
        k = Backends.create(backend);
        w = k.upload(BenchWeights.random(WeightFormat.valueOf(format), Integer.parseInt(s[2]), Integer.parseInt(s[1]), arena, 19));
        x = k.upload(BenchWeights.activations(n * w.cols(), 5));
        y = k.alloc(n * w.rows());
        System.out.println("\n[flops per call: " + 2L * n * w.rows() * w.cols() + "]");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public FloatBuf matmul() {
        k.matmul(w, x, n, y, null);
        return y;
    }
}
