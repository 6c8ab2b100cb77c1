package io.soundflow.bench.kernels;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Warmup;

/** The machine probe's two ceilings as JMH benchmarks (each returns its measurement; see the log lines). */
@BenchmarkMode(Mode.SingleShotTime)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ProbeBench {
    @Benchmark
    public double readBandwidthGBs() {
        double v = MachineProbe.readBandwidth(1L << 30, 2);
        System.out.printf("%n[read bandwidth %.1f GB/s]%n", v);
        return v;
    }

    @Benchmark
    public double fmaPeakGflops() {
        double v = MachineProbe.fmaPeak(2);
        System.out.printf("%n[FP32 FMA peak %.1f GFLOP/s]%n", v);
        return v;
    }
}
