package io.soundflow.kernels;

import java.lang.System.Logger.Level;

/**
 * Chooses the {@link Kernels} backend once per JVM: {@code -Dsoundflow.kernels=scalar|vector}
 * (default {@code vector}), announced in one log line. When the Vector API module is not readable the
 * choice falls back to {@code scalar} with a warning that names the exact flag to add.
 */
public final class Backends {
    public static final String PROPERTY = "soundflow.kernels";
    public static final String VECTOR_FLAG = "--add-modules jdk.incubator.vector";
    private static final System.Logger LOG = System.getLogger("soundflow.kernels");

    private static volatile Kernels chosen;

    private Backends() {
    }

    /** The backend for this JVM, chosen on first use. */
    public static Kernels get() {
        Kernels k = chosen;
        if (k == null) {
            synchronized (Backends.class) {
                k = chosen;
                if (k == null) {
                    k = create(System.getProperty(PROPERTY, "vector"));
                    LOG.log(Level.INFO, "SoundFlow kernels: " + k.name());
                    chosen = k;
                }
            }
        }
        return k;
    }

    /** Whether {@code jdk.incubator.vector} is readable in this JVM. */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** A fresh backend by name: "scalar" or "vector" (falls back to scalar with a warning). */
    public static Kernels create(String name) {
        return create(name, vectorApiAvailable(), msg -> LOG.log(Level.WARNING, msg));
    }

    /**
     * The decision behind {@link #create(String)}, with the module check and the warning sink passed in
     * so that both paths are testable in a JVM that has the module.
     */
    static Kernels create(String name, boolean vectorAvailable, java.util.function.Consumer<String> warn) {
        String n = name == null ? "" : name.trim();
        return switch (n) {
            case "scalar" -> new ScalarKernels();
            case "vector" -> {
                if (!vectorAvailable) {
                    warn.accept(FALLBACK_WARNING);
                    yield new ScalarKernels();
                }
                yield VectorBackendLoader.load();
            }
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + name
                    + ": unknown kernels backend (choose scalar or vector)");
        };
    }

    /** The warning printed when the vector backend is asked for but the module is not readable. */
    static final String FALLBACK_WARNING = "Java vector incubator module is not readable. For optimal speed, pass '"
            + VECTOR_FLAG + "' to java; using the scalar kernels.";
}
