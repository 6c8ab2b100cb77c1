package io.soundflow.engine.model;

import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.testing.TestBackends;
import io.soundflow.weights.TensorInfo;

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

    /** The backends to test ({@link TestBackends#names()}: scalar, vector, opencl where present). */
    static Stream<String> backends() {
        return TestBackends.names().stream();
    }

    static Kernels kernels(String name) {
        return TestBackends.create(name);
    }
}
