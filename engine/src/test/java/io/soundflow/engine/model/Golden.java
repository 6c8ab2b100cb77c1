package io.soundflow.engine.model;

import io.soundflow.kernels.Backends;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.weights.TensorInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Helpers for the conformance tests: error metrics, tensor access, a recording probe, backends. */
final class Golden {
    private Golden() {
    }

    /** max |a - b| / max |b|: the error relative to the reference tensor's scale. */
    static double relErr(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " vs reference " + b.length);
        }
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - b[i]));
            maxRef = Math.max(maxRef, Math.abs(b[i]));
        }
        return maxDiff / Math.max(maxRef, 1e-30);
    }

    /** max |a - b|. */
    static double absErr(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " vs reference " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    static int[] ints(TensorInfo t) {
        long[] l = t.toLongArray();
        int[] r = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            r[i] = Math.toIntExact(l[i]);
        }
        return r;
    }

    static float[] rows(float[] a, int from, int to, int cols) {
        return java.util.Arrays.copyOfRange(a, from * cols, to * cols);
    }

    /** A probe that keeps a copy of every stage. */
    static final class Recorder implements Probe {
        final Map<String, float[]> stages = new LinkedHashMap<>();

        @Override
        public void stage(String name, FloatBuf data, int rows, int cols) {
            float[] a = new float[rows * cols];
            data.read(0, a, 0, a.length);
            stages.put(name, a);
        }

        float[] get(String name) {
            float[] a = stages.get(name);
            if (a == null) {
                throw new AssertionError("stage " + name + " was not reported; have " + stages.keySet());
            }
            return a;
        }
    }

    /**
     * The backends to test: scalar always, vector when the Vector API is readable, opencl when its provider
     * is on the class path and an OpenCL platform is present (always under CI=true, where a missing
     * platform then fails the test with the backend's own message).
     */
    static Stream<String> backends() {
        List<String> b = new ArrayList<>(List.of("scalar"));
        if (Backends.vectorApiAvailable()) {
            b.add("vector");
        }
        if (Backends.has("opencl") && (opencl() instanceof Kernels || "true".equals(System.getenv("CI")))) {
            b.add("opencl");
        }
        return b.stream();
    }

    static Kernels kernels(String name) {
        if (name.equals("opencl")) {
            if (opencl() instanceof RuntimeException e) {
                throw e;
            }
            return (Kernels) opencl();
        }
        return Backends.create(name);
    }

    private static Object openclOrWhy;

    /** One opencl backend for the JVM (building its kernels takes seconds on PoCL), or why there is none. */
    private static synchronized Object opencl() {
        if (openclOrWhy == null) {
            try {
                openclOrWhy = Backends.create("opencl");
            } catch (RuntimeException e) {
                System.err.println("Golden: the opencl backend is not tested here: " + e.getMessage());
                openclOrWhy = e;
            }
        }
        return openclOrWhy;
    }
}
