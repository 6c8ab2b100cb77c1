package io.soundflow.kernels.vector;

import io.soundflow.kernels.Checks;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.HalfBuf;
import io.soundflow.kernels.HeapFloatBuf;
import io.soundflow.kernels.HeapHalfBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightMatrix;

/**
 * The {@code vector} backend: the {@link Kernels} operations written with {@code jdk.incubator.vector}
 * over heap activations and off-heap weights, with work split over the kernel pool.
 * The vector width is {@code -Dsoundflow.vectorBits=128|256|512} (default: this CPU's preferred width)
 * or the {@link #VectorKernels(int)} argument; each width runs its own compiled copy of the kernel
 * families ({@link Widths}), so several widths can be used in one JVM (tests).
 */
public final class VectorKernels implements Kernels {
    public static final String BITS_PROPERTY = "soundflow.vectorBits";

    private final int bits;
    private final Family.Matmul mm;
    private final Family.Elementwise ew;
    private final Family.Attention att;

    /** The width from {@code -Dsoundflow.vectorBits}, else the preferred width. */
    public VectorKernels() {
        this(defaultBits());
    }

    /** A backend using {@code bits}-wide vectors (128, 256 or 512). */
    public VectorKernels(int bits) {
        this.bits = Widths.checkBits(bits, "VectorKernels");
        this.mm = Widths.instance(Family.Matmul.class, MatmulOps.class, bits);
        this.ew = Widths.instance(Family.Elementwise.class, ElementwiseOps.class, bits);
        this.att = Widths.instance(Family.Attention.class, AttentionOps.class, bits);
    }

    /** Parses {@code -Dsoundflow.vectorBits}; the preferred width when unset. */
    public static int defaultBits() {
        return parseBits(System.getProperty(BITS_PROPERTY));
    }

    /** Parses a vector width setting (null or blank: the preferred width). */
    public static int parseBits(String value) {
        if (value == null || value.isBlank()) {
            return Widths.preferredBits();
        }
        int bits;
        try {
            bits = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + BITS_PROPERTY + "=" + value + " is not a number (choose 128, 256 or 512)");
        }
        return Widths.checkBits(bits, "-D" + BITS_PROPERTY + "=" + value);
    }

    /** The vector width in bits. */
    public int bits() {
        return bits;
    }

    @Override
    public String name() {
        return "vector(" + bits + ")";
    }

    @Override
    public FloatBuf alloc(int size) {
        return new HeapFloatBuf(size);
    }

    @Override
    public HalfBuf allocHalf(int size) {
        return new HeapHalfBuf(size);
    }

    /**
     * At 512 bits BF16, Q8_0 and Q4_0 matrices get the {@link Panels} that both their matvec and their matmul
     * read ({@link PanelGemm}); otherwise (other widths, {@code -Dsoundflow.panels=false}) Q8_0 and Q4_0
     * get a copy in the row decode layout of {@link Packed}, which their matvec reads. The other kernels,
     * and the other widths' matmul, read the stored layout.
     */
    @Override
    public WeightMatrix upload(WeightMatrix w) {
        if (w.packed() != null || w.panels() != null) {
            return w; // uploaded already
        }
        var panels = PanelGemm.supported(bits) ? Panels.pack(w) : null;
        var packed = panels == null ? Packed.pack(w) : null;
        return packed == null && panels == null ? w : w.withCopies(packed, panels);
    }

    /** The bias as an array indexed from 0: its own array when it starts there (no copy per call), else a copy. */
    private static float[] array(FloatBuf b) {
        if (b == null) {
            return null;
        }
        HeapFloatBuf h = HeapFloatBuf.of(b);
        return h.off == 0 ? h.a : h.toArray();
    }

    @Override
    public void matmul(WeightMatrix w, FloatBuf xb, int n, FloatBuf outb, FloatBuf bias) {
        HeapFloatBuf x = HeapFloatBuf.of(xb), out = HeapFloatBuf.of(outb);
        Checks.matmul(w, x.len, n, out.len, bias);
        if (w.panels() != null && PanelGemm.supported(bits)) {
            if (n == 1) {
                PanelGemm.matvec(w, x.a, x.off, out.a, out.off, array(bias));
            } else {
                PanelGemm.matmul(w, x.a, x.off, n, out.a, out.off, array(bias));
            }
        } else {
            mm.matmul(w, x, n, out, array(bias));
        }
    }

    @Override
    public void embed(WeightMatrix table, int[] ids, FloatBuf outb) {
        HeapFloatBuf out = HeapFloatBuf.of(outb);
        Checks.embed(table, ids, out.len);
        for (int i = 0; i < ids.length; i++) {
            mm.decode(table, ids[i], 0, table.cols(), out.a, out.off + i * table.cols());
        }
    }

    @Override
    public void add(FloatBuf ab, FloatBuf bb, FloatBuf outb, int n) {
        HeapFloatBuf a = HeapFloatBuf.of(ab), b = HeapFloatBuf.of(bb), out = HeapFloatBuf.of(outb);
        Checks.sizes(n, a.len, b.len, out.len);
        ew.add(a.a, a.off, b.a, b.off, out.a, out.off, n);
    }

    @Override
    public void rmsNorm(FloatBuf xb, FloatBuf wb, float eps, int n, int d, FloatBuf outb) {
        HeapFloatBuf x = HeapFloatBuf.of(xb), w = HeapFloatBuf.of(wb), out = HeapFloatBuf.of(outb);
        Checks.sizes((long) n * d, x.len, out.len);
        Checks.sizes(d, w.len);
        ew.rmsNorm(x.a, x.off, w.a, w.off, eps, n, d, out.a, out.off);
    }

    @Override
    public void layerNorm(FloatBuf xb, FloatBuf wb, FloatBuf bb, float eps, int n, int d, FloatBuf outb) {
        HeapFloatBuf x = HeapFloatBuf.of(xb), w = HeapFloatBuf.of(wb), b = HeapFloatBuf.of(bb),
                out = HeapFloatBuf.of(outb);
        Checks.sizes((long) n * d, x.len, out.len);
        Checks.sizes(d, w.len, b.len);
        ew.layerNorm(x.a, x.off, w.a, w.off, b.a, b.off, eps, n, d, out.a, out.off);
    }

    @Override
    public int argmax(FloatBuf xb, int off, int n) {
        HeapFloatBuf x = HeapFloatBuf.of(xb);
        Checks.range(off, n, x.len, "argmax");
        return ew.argmax(x.a, x.off + off, n);
    }

    @Override
    public void softmax(FloatBuf xb, int n, int d) {
        HeapFloatBuf x = HeapFloatBuf.of(xb);
        Checks.sizes((long) n * d, x.len);
        ew.softmax(x.a, x.off, n, d);
    }

    @Override
    public void gelu(FloatBuf xb, int n) {
        HeapFloatBuf x = HeapFloatBuf.of(xb);
        Checks.sizes(n, x.len);
        ew.gelu(x.a, x.off, n);
    }

    @Override
    public void siluMul(FloatBuf gb, FloatBuf ub, FloatBuf outb, int n) {
        HeapFloatBuf g = HeapFloatBuf.of(gb), u = HeapFloatBuf.of(ub), out = HeapFloatBuf.of(outb);
        Checks.sizes(n, g.len, u.len, out.len);
        ew.siluMul(g.a, g.off, u.a, u.off, out.a, out.off, n);
    }

    @Override
    public void rope(FloatBuf xb, int n, int heads, int headDim, float[] positions, int posOff, float[] invFreq) {
        HeapFloatBuf x = HeapFloatBuf.of(xb);
        Checks.rope(x.len, n, heads, headDim, positions, posOff, invFreq);
        ew.rope(x.a, x.off, n, heads, headDim, positions, posOff, invFreq);
    }

    /** im2col (x [tIn, cIn] to columns [tOut, cIn * 3] in the weight's ci * 3 + k order), then matmul. */
    @Override
    public void conv1d3(WeightMatrix w, FloatBuf bias, FloatBuf xb, int tIn, int stride, FloatBuf outb) {
        HeapFloatBuf x = HeapFloatBuf.of(xb), out = HeapFloatBuf.of(outb);
        int tOut = Checks.conv1d3(w, bias, x.len, tIn, stride, out.len);
        int cIn = w.cols() / 3;
        float[] col = new float[Math.multiplyExact(tOut, w.cols())]; // [tOut, cIn * 3]
        for (int t = 0; t < tOut; t++) {
            int o = t * w.cols();
            for (int k = 0; k < 3; k++) {
                int ti = t * stride + k - 1;
                if (ti < 0 || ti >= tIn) {
                    continue;
                }
                int xi = x.off + ti * cIn;
                for (int ci = 0; ci < cIn; ci++) {
                    col[o + ci * 3 + k] = x.a[xi + ci];
                }
            }
        }
        mm.matmul(w, new HeapFloatBuf(col, 0, col.length), tOut, out, array(bias));
    }

    @Override
    public void avgPool2(FloatBuf xb, int t, int d, FloatBuf outb) {
        HeapFloatBuf x = HeapFloatBuf.of(xb), out = HeapFloatBuf.of(outb);
        Checks.sizes((long) t * d, x.len);
        Checks.sizes((long) (t / 2) * d, out.len);
        ew.avgPool2(x.a, x.off, t, d, out.a, out.off);
    }

    @Override
    public void attentionCausal(FloatBuf qb, FloatBuf kb, FloatBuf vb, int start, int n,
                                int heads, int kvHeads, int headDim, FloatBuf outb) {
        HeapFloatBuf q = HeapFloatBuf.of(qb), k = HeapFloatBuf.of(kb), v = HeapFloatBuf.of(vb),
                out = HeapFloatBuf.of(outb);
        Checks.attentionCausal(q.len, k.len, v.len, out.len, start, n, heads, kvHeads, headDim);
        att.causal(q, k, v, start, n, heads, kvHeads, headDim, out);
    }

    @Override
    public void attentionCausal(FloatBuf qb, HalfBuf kb, HalfBuf vb, int start, int n,
                                int heads, int kvHeads, int headDim, FloatBuf outb) {
        HeapFloatBuf q = HeapFloatBuf.of(qb), out = HeapFloatBuf.of(outb);
        HeapHalfBuf k = HeapHalfBuf.of(kb), v = HeapHalfBuf.of(vb);
        Checks.attentionCausal(q.len, k.size(), v.size(), out.len, start, n, heads, kvHeads, headDim);
        att.causalHalf(q, k.a, v.a, start, n, heads, kvHeads, headDim, out);
    }

    @Override
    public void attentionWindowed(FloatBuf qb, FloatBuf kb, FloatBuf vb, int[] windows,
                                  int heads, int headDim, FloatBuf outb) {
        HeapFloatBuf q = HeapFloatBuf.of(qb), k = HeapFloatBuf.of(kb), v = HeapFloatBuf.of(vb),
                out = HeapFloatBuf.of(outb);
        int t = Checks.attentionWindowed(q.len, k.len, v.len, out.len, windows, heads, headDim);
        att.windowed(q, k, v, windows, t, heads, headDim, out);
    }
}
