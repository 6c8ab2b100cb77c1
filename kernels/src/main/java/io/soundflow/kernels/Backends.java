package io.soundflow.kernels;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Chooses the {@link Kernels} backend once per JVM: {@code -Dsoundflow.kernels=NAME} (default
 * {@code vector}), announced in one log line. Backends are found through {@link java.util.ServiceLoader}
 * ({@link KernelsProvider}): {@code scalar} and {@code vector} here, {@code opencl} when the
 * {@code soundflow-kernels-opencl} jar is on the class path. When the Vector API module is not readable
 * {@code vector} falls back to {@code scalar} with a warning that names the exact flag to add.
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

    /** A fresh backend by name, among the providers on the class path (see {@link #names()}). */
    public static Kernels create(String name) {
        return create(name, vectorApiAvailable(), msg -> LOG.log(Level.WARNING, msg));
    }

    /**
     * The decision behind {@link #create(String)}, with the module check and the warning sink passed in
     * so that both paths are testable in a JVM that has the module.
     */
    static Kernels create(String name, boolean vectorAvailable, java.util.function.Consumer<String> warn) {
        String n = name == null ? "" : name.trim();
        List<KernelsProvider> all = providers();
        for (KernelsProvider p : all) {
            if (p.name().equals(n)) {
                return p.create(new KernelsProvider.Environment(vectorAvailable, warn));
            }
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + name + ": unknown kernels backend (choose "
                + choices(all) + ")" + (n.equals("opencl") ? "; the opencl backend is the soundflow-kernels-opencl jar, "
                + "which is not on the class path" : ""));
    }

    /** The names of the backends on the class path, in their {@link KernelsProvider#order()}. */
    public static List<String> names() {
        return providers().stream().map(KernelsProvider::name).toList();
    }

    /** Whether a backend of this name is on the class path. */
    public static boolean has(String name) {
        return names().contains(name);
    }

    private static List<KernelsProvider> providers() {
        List<KernelsProvider> all = new ArrayList<>();
        ServiceLoader.load(KernelsProvider.class, Backends.class.getClassLoader()).forEach(all::add);
        all.sort(Comparator.comparingInt(KernelsProvider::order).thenComparing(KernelsProvider::name));
        return all;
    }

    /** "scalar or vector", "scalar, vector or opencl". */
    private static String choices(List<KernelsProvider> all) {
        List<String> names = all.stream().map(KernelsProvider::name).toList();
        if (names.size() <= 1) {
            return String.join("", names);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
    }

    /** The warning printed when the vector backend is asked for but the module is not readable. */
    static final String FALLBACK_WARNING = "Java vector incubator module is not readable. For optimal speed, pass '"
            + VECTOR_FLAG + "' to java; using the scalar kernels.";
}
