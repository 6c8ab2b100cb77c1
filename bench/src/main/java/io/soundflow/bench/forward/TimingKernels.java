package io.soundflow.bench.forward;

import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.HalfBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightMatrix;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** A {@link Kernels} decorator that adds up the wall time spent in each operation (for a profile). */
final class TimingKernels implements Kernels {
    private final Kernels k;
    private final Map<String, long[]> totals = new TreeMap<>(); // name -> {nanos, calls}

    TimingKernels(Kernels k) {
        this.k = k;
    }

    private void time(String op, Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        long[] t = totals.computeIfAbsent(op, x -> new long[2]);
        t[0] += System.nanoTime() - t0;
        t[1]++;
    }

    private <T> T time(String op, Supplier<T> r) {
        long t0 = System.nanoTime();
        T v = r.get();
        long[] t = totals.computeIfAbsent(op, x -> new long[2]);
        t[0] += System.nanoTime() - t0;
        t[1]++;
        return v;
    }

    void reset() {
        totals.clear();
    }

    void print(PrintStream out, String title) {
        long all = totals.values().stream().mapToLong(t -> t[0]).sum();
        out.printf(Locale.ROOT, "    profile %s (%.1f ms in kernels):", title, all / 1e6);
        totals.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).forEach(e ->
                out.printf(Locale.ROOT, " %s %.1f ms (%d)", e.getKey(), e.getValue()[0] / 1e6, e.getValue()[1]));
        out.println();
    }

    @Override
    public String name() {
        return k.name() + "+timing";
    }

    @Override
    public FloatBuf alloc(int size) {
        return time("alloc", () -> k.alloc(size));
    }

    @Override
    public HalfBuf allocHalf(int size) {
        return time("allocHalf", () -> k.allocHalf(size));
    }

    @Override
    public WeightMatrix upload(WeightMatrix w) {
        return k.upload(w);
    }

    @Override
    public void matmul(WeightMatrix w, FloatBuf x, int n, FloatBuf out, FloatBuf bias) {
        time(n == 1 ? "matvec" : "matmul", () -> k.matmul(w, x, n, out, bias));
    }

    @Override
    public void embed(WeightMatrix table, int[] ids, FloatBuf out) {
        time("embed", () -> k.embed(table, ids, out));
    }

    @Override
    public void add(FloatBuf a, FloatBuf b, FloatBuf out, int n) {
        time("add", () -> k.add(a, b, out, n));
    }

    @Override
    public void rmsNorm(FloatBuf x, FloatBuf weight, float eps, int n, int d, FloatBuf out) {
        time("rmsNorm", () -> k.rmsNorm(x, weight, eps, n, d, out));
    }

    @Override
    public void layerNorm(FloatBuf x, FloatBuf weight, FloatBuf bias, float eps, int n, int d, FloatBuf out) {
        time("layerNorm", () -> k.layerNorm(x, weight, bias, eps, n, d, out));
    }

    @Override
    public int argmax(FloatBuf x, int off, int n) {
        return time("argmax", () -> k.argmax(x, off, n));
    }

    @Override
    public void softmax(FloatBuf x, int n, int d) {
        time("softmax", () -> k.softmax(x, n, d));
    }

    @Override
    public void gelu(FloatBuf x, int n) {
        time("gelu", () -> k.gelu(x, n));
    }

    @Override
    public void siluMul(FloatBuf gate, FloatBuf up, FloatBuf out, int n) {
        time("siluMul", () -> k.siluMul(gate, up, out, n));
    }

    @Override
    public void rope(FloatBuf x, int n, int heads, int headDim, float[] positions, int posOff, float[] invFreq) {
        time("rope", () -> k.rope(x, n, heads, headDim, positions, posOff, invFreq));
    }

    @Override
    public void conv1d3(WeightMatrix w, FloatBuf bias, FloatBuf x, int tIn, int stride, FloatBuf out) {
        time("conv1d3", () -> k.conv1d3(w, bias, x, tIn, stride, out));
    }

    @Override
    public void avgPool2(FloatBuf x, int t, int d, FloatBuf out) {
        time("avgPool2", () -> k.avgPool2(x, t, d, out));
    }

    @Override
    public void attentionCausal(FloatBuf q, FloatBuf kCache, FloatBuf vCache, int start, int n, int heads,
                                int kvHeads, int headDim, FloatBuf out) {
        time("attentionCausal", () -> k.attentionCausal(q, kCache, vCache, start, n, heads, kvHeads, headDim, out));
    }

    @Override
    public void attentionCausal(FloatBuf q, HalfBuf kCache, HalfBuf vCache, int start, int n, int heads,
                                int kvHeads, int headDim, FloatBuf out) {
        time("attentionCausalF16", () -> k.attentionCausal(q, kCache, vCache, start, n, heads, kvHeads, headDim, out));
    }

    @Override
    public void attentionWindowed(FloatBuf q, FloatBuf kk, FloatBuf v, int[] windows, int heads, int headDim,
                                  FloatBuf out) {
        time("attentionWindowed", () -> k.attentionWindowed(q, kk, v, windows, heads, headDim, out));
    }
}
