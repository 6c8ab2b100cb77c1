package io.soundflow.kernels;

/** The providers of the two CPU backends of this module (listed in META-INF/services). */
public final class BuiltinProviders {
    private BuiltinProviders() {
    }

    /** {@code scalar}: the reference backend. */
    public static final class Scalar implements KernelsProvider {
        @Override
        public String name() {
            return "scalar";
        }

        @Override
        public int order() {
            return 0;
        }

        @Override
        public Kernels create(Environment env) {
            return new ScalarKernels();
        }
    }

    /** {@code vector}: the Vector API backend; scalar with a warning naming the flag when the module is missing. */
    public static final class Vector implements KernelsProvider {
        @Override
        public String name() {
            return "vector";
        }

        @Override
        public int order() {
            return 10;
        }

        @Override
        public Kernels create(Environment env) {
            if (!env.vectorApiAvailable()) {
                env.warn().accept(Backends.FALLBACK_WARNING);
                return new ScalarKernels();
            }
            return VectorBackendLoader.load();
        }
    }
}
