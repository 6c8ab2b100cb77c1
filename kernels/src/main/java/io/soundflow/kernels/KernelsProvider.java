package io.soundflow.kernels;

import java.util.function.Consumer;

/**
 * One {@link Kernels} backend, found by {@link Backends} through {@link java.util.ServiceLoader}: a jar
 * that lists its provider in {@code META-INF/services/io.soundflow.kernels.KernelsProvider} adds a
 * backend without editing the others. {@code scalar} and {@code vector} live in this module;
 * {@code opencl} in {@code soundflow-kernels-opencl}.
 */
public interface KernelsProvider {

    /** The name {@code -Dsoundflow.kernels=NAME} selects, e.g. "vector". */
    String name();

    /** Where this backend sorts in the list of choices an error message gives (lower first). */
    default int order() {
        return 100;
    }

    /**
     * A fresh backend. A provider that cannot run here either returns a working substitute after
     * telling {@code warn} why (the vector backend without its module), or throws an exception whose
     * message says in one line what is missing and how to fix it.
     *
     * @param env what the caller knows about this JVM, and where warnings go
     */
    Kernels create(Environment env);

    /**
     * @param vectorApiAvailable whether {@code jdk.incubator.vector} is readable (passed in so the fallback
     *                           is testable in a JVM that has the module)
     * @param warn               the sink for one-line warnings
     */
    record Environment(boolean vectorApiAvailable, Consumer<String> warn) {
    }
}
