package io.soundflow.tools;

import io.soundflow.bench.kernels.KernelBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code soundflow bench kernels [--quick]}: measures this machine's read bandwidth and FMA peak, then
 * matvec (GB/s of weight bytes) and matmul (GFLOP/s) at the model's shapes for the vector and scalar
 * backends, printing each as a fraction of its ceiling. The same cases run under JMH from
 * {@code java -jar bench/target/soundflow-benchmarks.jar}.
 */
@Command(name = "kernels", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Kernel benchmark: machine ceilings, then matvec GB/s and matmul GFLOP/s per format and backend.")
final class BenchKernelsCommand implements Runnable {
    @Option(names = "--quick", description = "Shorter timings; the scalar backend only on a few shapes.")
    boolean quick;

    @Mixin
    VerboseOption verboseOption;

    @Override
    public void run() {
        new KernelBench(quick, System.out).run();
    }
}
