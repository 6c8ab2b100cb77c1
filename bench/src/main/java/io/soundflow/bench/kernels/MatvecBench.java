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
 * Decode matvec at the 3B decoder's shapes per weight format and backend. GB/s of weight bytes =
 * {@code weightBytes / time}: rows x cols x (4 F32, 2 BF16, 34/32 Q8_0, 18/32 Q4_0) bytes;
 * {@code soundflow bench kernels} prints it directly, with the fraction of the measured read bandwidth.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatvecBench {
    @Param({"2048x2048", "256x2048", "11008x2048", "2048x11008", "151936x2048"})
    public String shape;
    @Param({"BF16", "Q8_0", "Q4_0", "F32"})
    public String format;
    @Param({"vector", "scalar"})
    public String backend;

    private Arena arena;
    private Kernels k;
    private WeightMatrix w;
    private FloatBuf x, y;

    @Setup(Level.Trial)
    public void setUp() {
        String[] s = shape.split("x");
        arena = Arena.ofShared();
        k = Backends.create(backend);
        w = k.upload(BenchWeights.random(WeightFormat.valueOf(format), Integer.parseInt(s[0]), Integer.parseInt(s[1]), arena, 17));
        x = k.upload(BenchWeights.activations(w.cols(), 3));
        y = k.alloc(w.rows());
        System.out.println("\n[weight bytes per call: " + w.data().byteSize() + "]");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public FloatBuf matvec() {
        k.matvec(w, x, y, null);
        return y;
    }
}
