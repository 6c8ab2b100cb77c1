package io.soundflow.tools;

import io.soundflow.kernels.Backends;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --kernels NAME} on the commands that load a model: the kernels backend, the same as
 * {@code -Dsoundflow.kernels=NAME} (which it sets before the backend is first used).
 */
final class KernelsOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--kernels", paramLabel = "NAME",
            description = "Kernels backend: scalar, vector (the default) or opencl (OpenCL on a GPU or PoCL; "
                    + "-Dsoundflow.opencl.device=N picks the device). Same as -Dsoundflow.kernels=NAME.")
    void kernels(String name) {
        String n = name.trim();
        if (!Backends.has(n)) {
            String msg = "--kernels " + name + ": unknown backend (choose " + String.join(", ", Backends.names()) + ")";
            if (mixee != null && mixee.commandLine() != null) {
                throw new ParameterException(mixee.commandLine(), msg);
            }
            throw new IllegalArgumentException(msg);
        }
        System.setProperty(Backends.PROPERTY, n);
    }

    @Option(names = "--threads", paramLabel = "N",
            description = "Kernel worker threads (default: the cores the JVM sees). Same as -Dsoundflow.threads=N.")
    void threads(int n) {
        if (n < 1 || n > 1024) {
            String msg = "--threads " + n + ": give 1 to 1024 threads";
            if (mixee != null && mixee.commandLine() != null) {
                throw new ParameterException(mixee.commandLine(), msg);
            }
            throw new IllegalArgumentException(msg);
        }
        System.setProperty(io.soundflow.kernels.KernelPool.PROPERTY, Integer.toString(n));
    }
}
