package io.soundflow.kernels;

import java.lang.foreign.Arena;
import java.util.Random;

/** Random test inputs and the error measure the kernel tests compare with. */
public final class TestData {
    private TestData() {
    }

    /** n values uniform in [-1, 1). */
    public static float[] uniform(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2f - 1f;
        }
        return a;
    }

    /** n values normally distributed with standard deviation sd. */
    public static float[] gaussian(Random rnd, int n, float sd) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian() * sd;
        }
        return a;
    }

    /** A random [rows, cols] weight matrix stored in {@code f} (values ~ N(0, 0.05)). */
    public static WeightMatrix weights(Random rnd, WeightFormat f, int rows, int cols, Arena arena) {
        return Quantizer.fromFloats("w", gaussian(rnd, rows * cols, 0.05f), rows, cols, f, arena);
    }

    /** ||a - b|| / ||b|| over the first n values (b is the reference; 0 when both are zero). */
    public static double relErr(float[] a, float[] b, int n) {
        double num = 0, den = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) a[i] - b[i];
            num += d * d;
            den += (double) b[i] * b[i];
        }
        if (num == 0) {
            return 0;
        }
        return Math.sqrt(num / Math.max(den, 1e-300));
    }

    public static double relErr(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths " + a.length + " and " + b.length);
        }
        return relErr(a, b, a.length);
    }

    public static double relErr(double[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += a[i] * a[i];
        }
        return num == 0 ? 0 : Math.sqrt(num / Math.max(den, 1e-300));
    }
}
