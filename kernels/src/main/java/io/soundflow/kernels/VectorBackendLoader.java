package io.soundflow.kernels;

/**
 * Loads the Vector API backend by name, so that no class touching {@code jdk.incubator.vector} is
 * loaded unless the module is readable.
 */
final class VectorBackendLoader {
    private VectorBackendLoader() {
    }

    static Kernels load() {
        try {
            Class<?> c = Class.forName("io.soundflow.kernels.vector.VectorKernels");
            return (Kernels) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the vector kernels backend could not be created: " + e, e);
        }
    }
}
