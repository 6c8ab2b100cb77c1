/**
 * SoundFlow kernels: the {@link io.soundflow.kernels.Kernels} interface every backend implements, the weight
 * formats, and the built-in scalar (reference) and Vector API backends, found through {@link java.util.ServiceLoader}.
 * The Vector API module is optional: without {@code --add-modules jdk.incubator.vector} the vector backend
 * reports itself unavailable and the scalar one is chosen.
 */
module io.soundflow.kernels {
    requires static jdk.incubator.vector;
    requires org.apache.commons.numbers.gamma;

    exports io.soundflow.kernels;
    exports io.soundflow.kernels.vector to io.soundflow.bench; // the benchmarks probe the vector tiles directly

    uses io.soundflow.kernels.KernelsProvider;
    provides io.soundflow.kernels.KernelsProvider with
            io.soundflow.kernels.BuiltinProviders.Scalar,
            io.soundflow.kernels.BuiltinProviders.Vector;
}
