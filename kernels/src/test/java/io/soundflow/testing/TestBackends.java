package io.soundflow.testing;

import io.soundflow.kernels.Backends;
import io.soundflow.kernels.Kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * The backends the model-level tests run on: {@code scalar} always, {@code vector} when the Vector API is
 * readable, {@code opencl} when its provider is on the class path and an OpenCL platform is present. Under
 * {@code CI=true} opencl is always listed when its provider is there, so a missing platform fails the test
 * with the backend's own message instead of skipping it.
 */
public final class TestBackends {
    private static Object openclOrWhy;

    private TestBackends() {
    }

    /** The names to test, in that order. */
    public static List<String> names() {
        List<String> b = new ArrayList<>(List.of("scalar"));
        if (Backends.vectorApiAvailable()) {
            b.add("vector");
        }
        if (Backends.has("opencl") && (opencl() instanceof Kernels || "true".equals(System.getenv("CI")))) {
            b.add("opencl");
        }
        return b;
    }

    /** A backend by name; the opencl one is shared by the JVM (building its kernels takes seconds on PoCL). */
    public static Kernels create(String name) {
        if (name.equals("opencl")) {
            if (opencl() instanceof RuntimeException e) {
                throw e;
            }
            return (Kernels) opencl();
        }
        return Backends.create(name);
    }

    private static synchronized Object opencl() {
        if (openclOrWhy == null) {
            try {
                openclOrWhy = Backends.create("opencl");
            } catch (RuntimeException e) {
                System.err.println("TestBackends: the opencl backend is not tested here: " + e.getMessage());
                openclOrWhy = e;
            }
        }
        return openclOrWhy;
    }
}
