package io.soundflow.kernels;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.Random;

import static io.soundflow.kernels.TestData.gaussian;
import static io.soundflow.kernels.TestData.relErr;
import static io.soundflow.kernels.TestData.uniform;
import static io.soundflow.kernels.TestData.weights;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance suite every backend runs: each {@link Kernels} operation equals the {@code scalar}
 * reference within a stated tolerance, on random shapes (odd sizes and tails included), for every weight
 * format, on views with offsets, with a canary for writes past the end. A backend's test extends this
 * class and says which instances to test ({@link #backends()}, e.g. one per vector width) and, when it
 * needs another bound, {@link #tolerance(WeightFormat)}.
 *
 * <p>Tolerance: the relative error of the whole output, ||backend - scalar|| / ||scalar||. Both sides use
 * the same dequantized weight values (dequantization is exact: {@code embed} checks it bit for bit), so
 * only the float32 summation order and the few-ulp approximations of exp, erf, sin and cos differ.
 */
public abstract class KernelsConformance {
    /** The default bound on the relative error, for every format. */
    public static final double TOL = 1e-5;
    protected static final Kernels SCALAR = new ScalarKernels();

    /** The backend instances under test; each try draws one. */
    protected abstract List<Kernels> backends();

    /** The bound on the relative error of an operation whose weights are in {@code f} (null: no weights). */
    protected double tolerance(WeightFormat f) {
        return TOL;
    }

    @Provide
    Arbitrary<Kernels> backend() {
        return Arbitraries.of(backends());
    }

    /** Columns valid for a format: any length for the float formats, whole 32-blocks for Q8_0/Q4_0. */
    protected static int cols(WeightFormat f, int raw) {
        return f.isQuantized() ? 32 * (1 + raw % 40) : raw;
    }

    @Property(tries = 120)
    void matmulAndMatvec(@ForAll WeightFormat f, @ForAll("backend") Kernels k,
                         @ForAll @IntRange(min = 1, max = 41) int rows, @ForAll @IntRange(min = 1, max = 1300) int rawCols,
                         @ForAll @IntRange(min = 1, max = 8) int n, @ForAll boolean withBias, @ForAll long seed) {
        Random rnd = new Random(seed);
        int cols = cols(f, rawCols);
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix w = weights(rnd, f, rows, cols, arena);
            float[] x = uniform(rnd, n * cols);
            float[] bias = withBias ? uniform(rnd, rows) : null;
            float[] want = run(SCALAR, w, x, n, bias);
            float[] got = run(k, w, x, n, bias);
            assertThat(relErr(got, want)).as("%s [%d, %d] n=%d on %s", f, rows, cols, n, k.name()).isLessThanOrEqualTo(tolerance(f));
        }
    }

    /**
     * Every format at every width, deterministically (the properties above sample these at random), with
     * the row counts the kernels treat apart: one row (matvec), 5 (a tile of 4 and one of 1), one listening
     * block of 13, an encoder chunk of 20 (tiles of 10), two blocks, 33 (13, 13, 7) and 37 (13, 13, 10, 1),
     * over 45 weight rows (more than one 32-row panel, the last one partial).
     */
    @Test
    void everyFormatAtEveryWidth() {
        Random rnd = new Random(42);
        for (WeightFormat f : WeightFormat.values()) {
            int cols = cols(f, 97), rows = 45;
            try (Arena arena = Arena.ofShared()) {
                WeightMatrix w = weights(rnd, f, rows, cols, arena);
                for (int n : new int[]{1, 5, 13, 20, 26, 33, 37}) {
                    float[] x = uniform(rnd, n * cols), bias = uniform(rnd, rows);
                    float[] want = run(SCALAR, w, x, n, bias);
                    for (Kernels k : backends()) {
                        assertThat(relErr(run(k, w, x, n, bias), want))
                                .as("%s n=%d on %s", f, n, k.name()).isLessThanOrEqualTo(tolerance(f));
                    }
                }
            }
        }
    }

    /** Shapes that cross the matmul's column blocks (2048) and activation-row blocks (48), every tile mix. */
    @Property(tries = 15)
    void matmulAcrossBlocks(@ForAll WeightFormat f, @ForAll("backend") Kernels k, @ForAll @IntRange(min = 0, max = 2) int shape,
                            @ForAll @IntRange(min = 2, max = 53) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        int cols = new int[]{f.isQuantized() ? 2080 : 2049, 4160, 6144 + 96}[shape];
        int rows = 5 + rnd.nextInt(6);
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix w = weights(rnd, f, rows, cols, arena);
            float[] x = uniform(rnd, n * cols);
            float[] want = run(SCALAR, w, x, n, null);
            float[] got = run(k, w, x, n, null);
            assertThat(relErr(got, want)).as("%s [%d, %d] n=%d on %s", f, rows, cols, n, k.name()).isLessThanOrEqualTo(tolerance(f));
        }
    }

    /** Decode rows longer than a matvec's activation slice (4096), with and without a tail of blocks. */
    @Property(tries = 12)
    void matvecOverLongRows(@ForAll WeightFormat f, @ForAll("backend") Kernels k, @ForAll @IntRange(min = 0, max = 2) int shape,
                            @ForAll long seed) {
        Random rnd = new Random(seed);
        int cols = new int[]{4096 + 32, 8192 + 96, 11008}[shape];
        int rows = 3 + rnd.nextInt(6);
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix w = weights(rnd, f, rows, cols, arena);
            float[] x = uniform(rnd, cols), bias = uniform(rnd, rows);
            float[] want = run(SCALAR, w, x, 1, bias);
            float[] got = run(k, w, x, 1, bias);
            assertThat(relErr(got, want)).as("%s [%d, %d] on %s", f, rows, cols, k.name()).isLessThanOrEqualTo(tolerance(f));
        }
    }

    protected static float[] run(Kernels k, WeightMatrix stored, float[] x, int n, float[] bias) {
        WeightMatrix w = k.upload(stored); // in the backend's own layout where it has one (vector: packed Q8_0/Q4_0)
        FloatBuf out = k.alloc(n * w.rows() + 3); // slack: the kernel must not write past n * rows
        out.fill(7f);
        FloatBuf xb = k.upload(x);
        FloatBuf b = bias == null ? null : k.upload(bias);
        if (n == 1) {
            k.matvec(w, xb, out, b);
        } else {
            k.matmul(w, xb, n, out, b);
        }
        float[] o = out.toArray();
        for (int i = n * w.rows(); i < o.length; i++) {
            assertThat(o[i]).as("write past the output").isEqualTo(7f);
        }
        return o;
    }

    @Property(tries = 30)
    void matmulOnViewsWithOffsets(@ForAll WeightFormat f, @ForAll("backend") Kernels k, @ForAll long seed) {
        // buffers that are slices of larger ones: every kernel must honour the view offset
        Random rnd = new Random(seed);
        int rows = 9, cols = cols(f, 67), n = 3;
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix w = weights(rnd, f, rows, cols, arena);
            float[] x = uniform(rnd, n * cols + 5);
            float[][] res = new float[2][];
            Kernels[] ks = {SCALAR, k};
            for (int i = 0; i < 2; i++) {
                FloatBuf xb = ks[i].upload(x).slice(5, n * cols);
                FloatBuf out = ks[i].alloc(n * rows + 11).slice(11, n * rows);
                ks[i].matmul(w, xb, n, out, null);
                res[i] = out.toArray();
            }
            assertThat(relErr(res[1], res[0])).as("%s on %s", f, k.name()).isLessThanOrEqualTo(tolerance(f));
        }
    }

    @Property(tries = 40)
    void embed(@ForAll WeightFormat f, @ForAll("backend") Kernels k, @ForAll @IntRange(min = 1, max = 300) int rawCols,
               @ForAll long seed) {
        Random rnd = new Random(seed);
        int cols = cols(f, rawCols), rows = 1 + rnd.nextInt(20);
        int[] ids = rnd.ints(1 + rnd.nextInt(5), 0, rows).toArray();
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix w = weights(rnd, f, rows, cols, arena);
            FloatBuf a = SCALAR.alloc(ids.length * cols), b = k.alloc(ids.length * cols);
            SCALAR.embed(w, ids, a);
            k.embed(w, ids, b);
            // dequantization is exact in both: equal bit for bit
            assertThat(b.toArray()).containsExactly(a.toArray());
        }
    }

    @Property(tries = 40)
    void elementwise(@ForAll("backend") Kernels k, @ForAll @IntRange(min = 1, max = 5) int n,
                     @ForAll @IntRange(min = 1, max = 300) int d, @ForAll long seed) {
        Random rnd = new Random(seed);
        Kernels v = k;
        float[] x = gaussian(rnd, n * d, 3f), y = gaussian(rnd, n * d, 1f);
        float[] w = uniform(rnd, d), b = uniform(rnd, d);

        check("add", (be, o) -> be.add(be.upload(x), be.upload(y), o, n * d), v, n * d);
        check("rmsNorm", (be, o) -> be.rmsNorm(be.upload(x), be.upload(w), 1e-6f, n, d, o), v, n * d);
        check("layerNorm", (be, o) -> be.layerNorm(be.upload(x), be.upload(w), be.upload(b), 1e-5f, n, d, o), v, n * d);
        check("softmax", (be, o) -> {
            o.write(x);
            be.softmax(o, n, d);
        }, v, n * d);
        check("gelu", (be, o) -> {
            o.write(x);
            be.gelu(o, n * d);
        }, v, n * d);
        check("siluMul", (be, o) -> be.siluMul(be.upload(x), be.upload(y), o, n * d), v, n * d);
        float[] pool = gaussian(rnd, (2 * n + 1) * d, 1f); // odd length: the last row is dropped
        check("avgPool2", (be, o) -> be.avgPool2(be.upload(pool), 2 * n + 1, d, o), v, n * d);
    }

    /**
     * argmax equals the scalar reference exactly, with ties (values drawn from a few levels, so the maximum
     * often repeats) and, at a random place, a NaN or an infinity, which both must report by its index.
     */
    @Property(tries = 200)
    void argmax(@ForAll("backend") Kernels k, @ForAll @IntRange(min = 1, max = 700) int n,
                @ForAll @IntRange(min = 0, max = 40) int off, @ForAll @IntRange(min = 0, max = 3) int poison,
                @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[off + n + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextInt(7) - 3f;
        }
        x[off + n] = 99f; // past the range: never the answer
        int at = rnd.nextInt(n);
        if (poison == 1) {
            x[off + at] = Float.NaN;
        } else if (poison == 2) {
            x[off + at] = rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        }
        int want = SCALAR.argmax(SCALAR.upload(x), off, n);
        int got = k.argmax(k.upload(x), off, n);
        assertThat(got).as("n=%d off=%d poison=%d on %s", n, off, poison, k.name()).isEqualTo(want);
        if (poison == 1 || poison == 2) {
            int first = 0;
            while (Float.isFinite(x[off + first])) {
                first++;
            }
            assertThat(want).isNegative();
            assertThat(Kernels.nonFiniteAt(want)).isEqualTo(first);
        } else {
            float max = Float.NEGATIVE_INFINITY;
            int first = -1;
            for (int i = 0; i < n; i++) {
                if (x[off + i] > max) {
                    max = x[off + i];
                    first = i;
                }
            }
            assertThat(want).isEqualTo(first);
        }
    }

    @Property(tries = 40)
    void rope(@ForAll("backend") Kernels k, @ForAll @IntRange(min = 1, max = 6) int n,
              @ForAll @IntRange(min = 1, max = 4) int heads, @ForAll @IntRange(min = 1, max = 70) int halfDim,
              @ForAll long seed) {
        Random rnd = new Random(seed);
        int headDim = 2 * halfDim;
        float[] x = uniform(rnd, n * heads * headDim);
        float[] pos = new float[n + 3];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = rnd.nextInt(5000);
        }
        float[] inv = new float[halfDim];
        for (int i = 0; i < halfDim; i++) {
            inv[i] = (float) Math.pow(1e6, -2.0 * i / headDim);
        }
        check("rope", (be, o) -> {
            o.write(x);
            be.rope(o, n, heads, headDim, pos, 2, inv);
        }, k, x.length);
    }

    @Property(tries = 40)
    void conv1d3(@ForAll WeightFormat f, @ForAll("backend") Kernels k, @ForAll @IntRange(min = 1, max = 23) int tIn,
                 @ForAll @IntRange(min = 1, max = 2) int stride, @ForAll @IntRange(min = 1, max = 40) int rawCin,
                 @ForAll @IntRange(min = 1, max = 19) int cOut, @ForAll long seed) {
        Random rnd = new Random(seed);
        int cIn = f.isQuantized() ? 32 * (1 + rawCin % 3) : rawCin; // cIn * 3 must fill whole blocks
        int tOut = (tIn - 1) / stride + 1;
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix w = weights(rnd, f, cOut, 3 * cIn, arena);
            float[] x = uniform(rnd, tIn * cIn), bias = uniform(rnd, cOut);
            check("conv1d3", (be, o) -> be.conv1d3(w, be.upload(bias), be.upload(x), tIn, stride, o), k, tOut * cOut);
        }
    }

    @Property(tries = 40)
    void attentionCausal(@ForAll("backend") Kernels k, @ForAll @IntRange(min = 0, max = 40) int start,
                         @ForAll @IntRange(min = 1, max = 6) int n, @ForAll @IntRange(min = 1, max = 3) int kvHeads,
                         @ForAll @IntRange(min = 1, max = 3) int group, @ForAll @IntRange(min = 1, max = 70) int headDim,
                         @ForAll long seed) {
        Random rnd = new Random(seed);
        int heads = kvHeads * group, cap = start + n + 2;
        float[] q = gaussian(rnd, n * heads * headDim, 1f);
        float[] kc = gaussian(rnd, cap * kvHeads * headDim, 1f), vc = gaussian(rnd, cap * kvHeads * headDim, 1f);
        check("attentionCausal", (be, o) -> be.attentionCausal(be.upload(q), be.upload(kc), be.upload(vc), start, n,
                heads, kvHeads, headDim, o), k, n * heads * headDim);
    }

    @Property(tries = 40)
    void attentionCausalOverFloat16Cache(@ForAll("backend") Kernels k, @ForAll @IntRange(min = 0, max = 40) int start,
                                         @ForAll @IntRange(min = 1, max = 6) int n,
                                         @ForAll @IntRange(min = 1, max = 3) int kvHeads,
                                         @ForAll @IntRange(min = 1, max = 3) int group,
                                         @ForAll @IntRange(min = 1, max = 70) int headDim, @ForAll long seed) {
        Random rnd = new Random(seed);
        int heads = kvHeads * group, cap = start + n + 2;
        float[] q = gaussian(rnd, n * heads * headDim, 1f);
        float[] kc = gaussian(rnd, cap * kvHeads * headDim, 1f), vc = gaussian(rnd, cap * kvHeads * headDim, 1f);
        check("attentionCausal f16", (be, o) -> be.attentionCausal(be.upload(q), half(be, kc), half(be, vc), start, n,
                heads, kvHeads, headDim, o), k, n * heads * headDim);
    }

    protected static HalfBuf half(Kernels k, float[] values) {
        HalfBuf h = k.allocHalf(values.length);
        h.writeRounded(0, k.upload(values), 0, values.length);
        return h;
    }

    @Property(tries = 40)
    void attentionWindowed(@ForAll("backend") Kernels k, @ForAll @IntRange(min = 1, max = 3) int heads,
                           @ForAll @IntRange(min = 1, max = 70) int headDim, @ForAll long seed) {
        Random rnd = new Random(seed);
        int[] windows = rnd.ints(1 + rnd.nextInt(4), 1, 30).toArray();
        int t = java.util.Arrays.stream(windows).sum();
        float[] q = gaussian(rnd, t * heads * headDim, 1f), kk = gaussian(rnd, t * heads * headDim, 1f),
                vv = gaussian(rnd, t * heads * headDim, 1f);
        check("attentionWindowed", (be, o) -> be.attentionWindowed(be.upload(q), be.upload(kk), be.upload(vv), windows,
                heads, headDim, o), k, t * heads * headDim);
    }

    interface Op {
        void run(Kernels k, FloatBuf out);
    }

    /** Runs op on both backends into fresh buffers of {@code size} and compares. */
    void check(String what, Op op, Kernels v, int size) {
        if (size == 0) {
            return;
        }
        FloatBuf a = SCALAR.alloc(size), b = v.alloc(size);
        op.run(SCALAR, a);
        op.run(v, b);
        assertThat(relErr(b.toArray(), a.toArray())).as("%s on %s", what, v.name()).isLessThanOrEqualTo(tolerance(null));
    }
}
