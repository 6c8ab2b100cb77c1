package io.soundflow.kernels.opencl;

import io.soundflow.kernels.Checks;
import io.soundflow.kernels.DeviceCeilings;
import io.soundflow.kernels.FloatBuf;
import io.soundflow.kernels.HalfBuf;
import io.soundflow.kernels.Kernels;
import io.soundflow.kernels.WeightFormat;
import io.soundflow.kernels.WeightMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code opencl} backend: every {@link Kernels} operation as an OpenCL C kernel (resources
 * {@code weights.cl}, {@code ops.cl}, built at load) on one device, through {@code java.lang.foreign}
 * downcalls ({@link Cl}). Activations and KV caches are device buffers ({@link OpenClFloatBuf},
 * {@link OpenClHalfBuf}); weights are uploaded once, in their stored format, and dequantized inside the
 * kernels. Operations are enqueued asynchronously on one in-order queue; the points where results are
 * complete on the host are {@link FloatBuf#read}, {@link HalfBuf#read}, {@link #argmax} and
 * {@link HalfBuf#writeRounded} (which reads back its range check).
 *
 * <p>Host arrays in the interface are uploaded per call, without waiting (a copy is kept until the queue
 * has passed it): the token ids of {@link #embed}, the positions and inverse frequencies of {@link #rope}
 * (only when they differ from the previous call's, so once per forward) and the window lengths of
 * {@link #attentionWindowed}.
 *
 * <p>Weights: {@link #upload(WeightMatrix)} copies a matrix to the device once and keeps the device
 * copy keyed by the matrix (its memory location, shape and format); a matrix passed to an operation
 * without an upload is uploaded on first use. An entry whose host memory has been released (its arena
 * closed) is dropped and never reused.
 */
public final class OpenClKernels implements Kernels, DeviceCeilings {
    /** Work-items per group of the row-reducing kernels (matmul, norms, softmax, attention). */
    static final int GROUP = 64;
    /** The largest block of activation rows a matmul pass reads each weight once for (the local array is that x the group). */
    static final int MATMUL_ROWS = 8;
    /** Work-items of the one group of {@link #argmax}. */
    static final int ARGMAX_GROUP = 256;

    final OpenClContext ctx;
    /**
     * How many work-groups a matmul aims at: enough to fill the device (64 per compute unit), not more, as
     * each group has a fixed cost; a group then takes rows / matmulGroups consecutive rows. Tests lower it.
     */
    volatile int matmulGroups;
    private final Map<WeightFormat, OpenClContext.Kernel> matmul = new EnumMap<>(WeightFormat.class);
    private final Map<WeightFormat, OpenClContext.Kernel> embed = new EnumMap<>(WeightFormat.class);
    private final Map<WeightFormat, OpenClContext.Kernel> conv = new EnumMap<>(WeightFormat.class);
    private final OpenClContext.Kernel add, siluMul, gelu, avgPool2, rmsNorm, layerNorm, softmax, rope, argmax,
            attnF32, attnF16, attnWindowed, halfCheck, halfStore;
    private final ConcurrentHashMap<WeightMatrix, DeviceWeight> weights = new ConcurrentHashMap<>();
    // small device buffers reused under the lock: a stand-in for a null bias, argmax's answer, the f16 range flag
    private final OpenClContext.Mem none, result, flag;
    // grow-only per-call uploads and attention scores, guarded by ctx
    private OpenClContext.Mem ints, floats, scratch;
    // what the rope buffer holds now (positions then inverse frequencies), guarded by ctx
    private float[] ropeHost;
    private OpenClContext.Mem ropeMem;

    /** A weight matrix's device copy; {@code source} is kept to tell when its host memory has gone. */
    private record DeviceWeight(WeightMatrix source, OpenClContext.Mem mem) {
        boolean alive() {
            return source.data().scope().isAlive();
        }
    }

    OpenClKernels(OpenClContext ctx) {
        this.ctx = ctx;
        this.matmulGroups = 64 * Math.max(1, ctx.device.computeUnits());
        for (WeightFormat f : WeightFormat.values()) {
            matmul.put(f, ctx.kernel("matmul_" + f));
            embed.put(f, ctx.kernel("embed_" + f));
            conv.put(f, ctx.kernel("conv1d3_" + f));
        }
        add = ctx.kernel("add");
        siluMul = ctx.kernel("silu_mul");
        gelu = ctx.kernel("gelu");
        avgPool2 = ctx.kernel("avg_pool2");
        rmsNorm = ctx.kernel("rms_norm");
        layerNorm = ctx.kernel("layer_norm");
        softmax = ctx.kernel("softmax");
        rope = ctx.kernel("rope");
        argmax = ctx.kernel("argmax");
        attnF32 = ctx.kernel("attention_causal_f32");
        attnF16 = ctx.kernel("attention_causal_f16");
        attnWindowed = ctx.kernel("attention_windowed");
        halfCheck = ctx.kernel("half_check");
        halfStore = ctx.kernel("half_store");
        none = ctx.alloc(4, "a placeholder");
        result = ctx.alloc(4, "argmax's answer");
        flag = ctx.alloc(4, "the float16 range flag");
        ints = ctx.alloc(1024, "per-call ids");
        floats = ctx.alloc(4096, "per-call positions");
        scratch = ctx.alloc(1 << 16, "attention scores");
    }

    /** The device this backend runs on. */
    public String deviceName() {
        return ctx.device.name();
    }

    /** The platform of that device. */
    public String platformName() {
        return ctx.device.platformName();
    }

    @Override
    public String name() {
        return "opencl(" + ctx.device.name() + ")";
    }

    @Override
    public FloatBuf alloc(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("alloc: negative size " + size);
        }
        return new OpenClFloatBuf(ctx, ctx.alloc(4L * size, "a buffer of " + size + " floats"), 0, size);
    }

    @Override
    public HalfBuf allocHalf(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("allocHalf: negative size " + size);
        }
        return new OpenClHalfBuf(this, ctx.alloc(2L * size, "a float16 buffer of " + size + " values"), size);
    }

    @Override
    public WeightMatrix upload(WeightMatrix w) {
        device(w);
        return w;
    }

    /** The device copy of {@code w}, uploaded on first use. */
    private OpenClContext.Mem device(WeightMatrix w) {
        DeviceWeight d = weights.get(w);
        if (d != null && d.alive()) {
            return d.mem();
        }
        weights.values().removeIf(e -> !e.alive());
        OpenClContext.Mem m = ctx.alloc(w.data().byteSize(), "weight " + w.name() + " (" + w.format() + " ["
                + w.rows() + ", " + w.cols() + "])");
        if (w.data().isNative()) {
            ctx.write(m, 0, w.data());
        } else {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment copy = a.allocate(w.data().byteSize(), 8);
                copy.copyFrom(w.data());
                ctx.write(m, 0, copy);
            }
        }
        weights.put(w, new DeviceWeight(w, m));
        return m;
    }

    private OpenClFloatBuf buf(FloatBuf b) {
        return OpenClFloatBuf.of(b, ctx);
    }

    /** A grow-only buffer of at least {@code bytes}. */
    private OpenClContext.Mem grow(OpenClContext.Mem m, long bytes, String what) {
        return m.bytes >= bytes ? m : ctx.alloc(Math.max(bytes, 2 * m.bytes), what);
    }

    private static long groups(long items, int local) {
        return (items + local - 1) / local;
    }

    // ---- linear algebra -----------------------------------------------------------------------------

    @Override
    public void matmul(WeightMatrix w, FloatBuf xb, int n, FloatBuf outb, FloatBuf biasb) {
        OpenClFloatBuf x = buf(xb), out = buf(outb), bias = biasb == null ? null : buf(biasb);
        Checks.matmul(w, x.len, n, out.len, biasb);
        OpenClContext.Mem wm = device(w);
        OpenClContext.Kernel k = matmul.get(w.format());
        int perGroup = Math.max(1, w.rows() / matmulGroups);
        synchronized (ctx) {
            int l = ctx.localSize(k, GROUP);
            ctx.launch(k).mem(wm).i(w.rows()).i(w.cols()).l(w.rowBytes())
                    .mem(x.mem).i(x.off).i(n).mem(out.mem).i(out.off)
                    .mem(bias == null ? none : bias.mem).i(bias == null ? 0 : bias.off).i(bias == null ? 0 : 1)
                    .i(perGroup).local(4L * MATMUL_ROWS * l).run(groups(w.rows(), perGroup), l);
        }
    }

    @Override
    public void embed(WeightMatrix table, int[] ids, FloatBuf outb) {
        OpenClFloatBuf out = buf(outb);
        Checks.embed(table, ids, out.len);
        if (ids.length == 0) {
            return;
        }
        OpenClContext.Mem wm = device(table);
        OpenClContext.Kernel k = embed.get(table.format());
        synchronized (ctx) {
            ints = grow(ints, 4L * ids.length, "per-call ids");
            ctx.writeLater(ints, 0, ids);
            int l = ctx.localSize(k, GROUP);
            long items = (long) ids.length * table.cols();
            ctx.launch(k).mem(wm).i(table.cols()).l(table.rowBytes()).mem(ints).i(ids.length).mem(out.mem).i(out.off)
                    .run(groups(items, l), l);
        }
    }

    @Override
    public int argmax(FloatBuf xb, int off, int n) {
        OpenClFloatBuf x = buf(xb);
        Checks.range(off, n, x.len, "argmax");
        synchronized (ctx) {
            int l = ctx.localSize(argmax, ARGMAX_GROUP);
            ctx.launch(argmax).mem(x.mem).i(x.off + off).i(n).mem(result).local(4L * l).local(4L * l).local(4L * l).run(1, l);
            return ctx.readInt(result, 0);
        }
    }

    // ---- element-wise and normalisation -------------------------------------------------------------

    @Override
    public void add(FloatBuf ab, FloatBuf bb, FloatBuf outb, int n) {
        OpenClFloatBuf a = buf(ab), b = buf(bb), out = buf(outb);
        Checks.sizes(n, a.len, b.len, out.len);
        synchronized (ctx) {
            int l = ctx.localSize(add, GROUP);
            ctx.launch(add).mem(a.mem).i(a.off).mem(b.mem).i(b.off).mem(out.mem).i(out.off).i(n).run(groups(n, l), l);
        }
    }

    @Override
    public void rmsNorm(FloatBuf xb, FloatBuf wb, float eps, int n, int d, FloatBuf outb) {
        OpenClFloatBuf x = buf(xb), w = buf(wb), out = buf(outb);
        Checks.sizes((long) n * d, x.len, out.len);
        Checks.sizes(d, w.len);
        synchronized (ctx) {
            int l = ctx.localSize(rmsNorm, GROUP);
            ctx.launch(rmsNorm).mem(x.mem).i(x.off).mem(w.mem).i(w.off).f(eps).i(d).mem(out.mem).i(out.off)
                    .local(4L * l).run(n, l);
        }
    }

    @Override
    public void layerNorm(FloatBuf xb, FloatBuf wb, FloatBuf bb, float eps, int n, int d, FloatBuf outb) {
        OpenClFloatBuf x = buf(xb), w = buf(wb), b = buf(bb), out = buf(outb);
        Checks.sizes((long) n * d, x.len, out.len);
        Checks.sizes(d, w.len, b.len);
        synchronized (ctx) {
            int l = ctx.localSize(layerNorm, GROUP);
            ctx.launch(layerNorm).mem(x.mem).i(x.off).mem(w.mem).i(w.off).mem(b.mem).i(b.off).f(eps).i(d)
                    .mem(out.mem).i(out.off).local(4L * l).run(n, l);
        }
    }

    @Override
    public void softmax(FloatBuf xb, int n, int d) {
        OpenClFloatBuf x = buf(xb);
        Checks.sizes((long) n * d, x.len);
        synchronized (ctx) {
            int l = ctx.localSize(softmax, GROUP);
            ctx.launch(softmax).mem(x.mem).i(x.off).i(d).local(4L * l).run(n, l);
        }
    }

    @Override
    public void gelu(FloatBuf xb, int n) {
        OpenClFloatBuf x = buf(xb);
        Checks.sizes(n, x.len);
        synchronized (ctx) {
            int l = ctx.localSize(gelu, GROUP);
            ctx.launch(gelu).mem(x.mem).i(x.off).i(n).run(groups(n, l), l);
        }
    }

    @Override
    public void siluMul(FloatBuf gb, FloatBuf ub, FloatBuf outb, int n) {
        OpenClFloatBuf g = buf(gb), u = buf(ub), out = buf(outb);
        Checks.sizes(n, g.len, u.len, out.len);
        synchronized (ctx) {
            int l = ctx.localSize(siluMul, GROUP);
            ctx.launch(siluMul).mem(g.mem).i(g.off).mem(u.mem).i(u.off).mem(out.mem).i(out.off).i(n).run(groups(n, l), l);
        }
    }

    @Override
    public void rope(FloatBuf xb, int n, int heads, int headDim, float[] positions, int posOff, float[] invFreq) {
        OpenClFloatBuf x = buf(xb);
        Checks.rope(x.len, n, heads, headDim, positions, posOff, invFreq);
        int half = headDim / 2;
        synchronized (ctx) {
            // positions [n] then invFreq [half], uploaded per call
            float[] pf = new float[n + half];
            System.arraycopy(positions, posOff, pf, 0, n);
            System.arraycopy(invFreq, 0, pf, n, half);
            floats = grow(floats, 4L * pf.length, "per-call positions");
            // every layer of a forward rotates at the same positions: upload them once per forward
            if (floats != ropeMem || !Arrays.equals(pf, ropeHost)) {
                ctx.writeLater(floats, 0, pf, 0, pf.length);
                ropeHost = pf;
                ropeMem = floats;
            }
            int l = ctx.localSize(rope, GROUP);
            ctx.launch(rope).mem(x.mem).i(x.off).i(n).i(heads).i(headDim).mem(floats).i(n)
                    .run(groups((long) n * heads * half, l), l);
        }
    }

    // ---- convolution and pooling ------------------------------------------------------------------

    @Override
    public void conv1d3(WeightMatrix w, FloatBuf biasb, FloatBuf xb, int tIn, int stride, FloatBuf outb) {
        OpenClFloatBuf x = buf(xb), out = buf(outb), bias = biasb == null ? null : buf(biasb);
        int tOut = Checks.conv1d3(w, biasb, x.len, tIn, stride, out.len);
        OpenClContext.Mem wm = device(w);
        OpenClContext.Kernel k = conv.get(w.format());
        synchronized (ctx) {
            int l = ctx.localSize(k, GROUP);
            ctx.launch(k).mem(wm).i(w.rows()).i(w.cols() / 3).l(w.rowBytes()).mem(x.mem).i(x.off).i(tIn).i(stride).i(tOut)
                    .mem(out.mem).i(out.off)
                    .mem(bias == null ? none : bias.mem).i(bias == null ? 0 : bias.off).i(bias == null ? 0 : 1)
                    .run(groups((long) tOut * w.rows(), l), l);
        }
    }

    @Override
    public void avgPool2(FloatBuf xb, int t, int d, FloatBuf outb) {
        OpenClFloatBuf x = buf(xb), out = buf(outb);
        Checks.sizes((long) t * d, x.len);
        Checks.sizes((long) (t / 2) * d, out.len);
        synchronized (ctx) {
            int l = ctx.localSize(avgPool2, GROUP);
            ctx.launch(avgPool2).mem(x.mem).i(x.off).i(t / 2).i(d).mem(out.mem).i(out.off)
                    .run(groups((long) (t / 2) * d, l), l);
        }
    }

    // ---- attention ----------------------------------------------------------------------------------

    @Override
    public void attentionCausal(FloatBuf qb, FloatBuf kb, FloatBuf vb, int start, int n,
                                int heads, int kvHeads, int headDim, FloatBuf outb) {
        OpenClFloatBuf k = buf(kb), v = buf(vb);
        Checks.attentionCausal(qb.size(), k.len, v.len, outb.size(), start, n, heads, kvHeads, headDim);
        attention(attnF32, qb, k.mem, k.off, v.mem, v.off, start, n, heads, kvHeads, headDim, outb);
    }

    @Override
    public void attentionCausal(FloatBuf qb, HalfBuf kb, HalfBuf vb, int start, int n,
                                int heads, int kvHeads, int headDim, FloatBuf outb) {
        OpenClHalfBuf k = OpenClHalfBuf.of(kb, ctx), v = OpenClHalfBuf.of(vb, ctx);
        Checks.attentionCausal(qb.size(), k.len, v.len, outb.size(), start, n, heads, kvHeads, headDim);
        attention(attnF16, qb, k.mem, 0, v.mem, 0, start, n, heads, kvHeads, headDim, outb);
    }

    private void attention(OpenClContext.Kernel kern, FloatBuf qb, OpenClContext.Mem k, int ko, OpenClContext.Mem v,
                           int vo, int start, int n, int heads, int kvHeads, int headDim, FloatBuf outb) {
        OpenClFloatBuf q = buf(qb), out = buf(outb);
        int groups = n * heads, stride = start + n;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        synchronized (ctx) {
            scratch = grow(scratch, 4L * groups * stride, "attention scores");
            int l = ctx.localSize(kern, GROUP);
            ctx.launch(kern).mem(q.mem).i(q.off).mem(k).i(ko).mem(v).i(vo).i(start).i(heads).i(kvHeads).i(headDim)
                    .mem(out.mem).i(out.off).mem(scratch).i(stride).f(scale).local(4L * l).run(groups, l);
        }
    }

    @Override
    public void attentionWindowed(FloatBuf qb, FloatBuf kb, FloatBuf vb, int[] windows,
                                  int heads, int headDim, FloatBuf outb) {
        OpenClFloatBuf q = buf(qb), k = buf(kb), v = buf(vb), out = buf(outb);
        int t = Checks.attentionWindowed(q.len, k.len, v.len, out.len, windows, heads, headDim);
        int[] startOf = new int[windows.length + 1];
        int maxW = 0;
        for (int i = 0; i < windows.length; i++) {
            startOf[i + 1] = startOf[i] + windows[i];
            maxW = Math.max(maxW, windows[i]);
        }
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int groups = t * heads;
        synchronized (ctx) {
            ints = grow(ints, 4L * startOf.length, "per-call window starts");
            ctx.writeLater(ints, 0, startOf);
            scratch = grow(scratch, 4L * groups * maxW, "attention scores");
            int l = ctx.localSize(attnWindowed, GROUP);
            ctx.launch(attnWindowed).mem(q.mem).i(q.off).mem(k.mem).i(k.off).mem(v.mem).i(v.off).mem(ints)
                    .i(windows.length).i(heads).i(headDim).mem(out.mem).i(out.off).mem(scratch).i(maxW).f(scale)
                    .local(4L * l).run(groups, l);
        }
    }

    // ---- device ceilings (for the benchmarks' roofline) ----------------------------------------------

    /** Work-items of the probes: enough to fill every compute unit several times over. */
    private long probeItems() {
        return (long) Math.max(1, ctx.device.computeUnits()) * 2048;
    }

    @Override
    public double readGBs(long bytes, int rounds) {
        long size = Math.max(1 << 20, Math.min(bytes, ctx.device.maxAlloc() / 2)) & ~15L;
        OpenClContext.Mem data = ctx.alloc(size, "the bandwidth probe");
        double best = 0;
        for (String name : new String[]{"probe_read", "probe_read_slices"}) { // strided (GPU) and sliced (CPU)
            OpenClContext.Kernel k = ctx.kernel(name);
            int l = ctx.localSize(k, 256);
            long groups = Math.max(1, probeItems() / l);
            OpenClContext.Mem sink = ctx.alloc(4 * groups * l, "the bandwidth probe's sums");
            for (int r = 0; r <= rounds; r++) { // the first pass warms up
                long t0 = System.nanoTime();
                synchronized (ctx) {
                    ctx.launch(k).mem(data).l(size / 16).mem(sink).run(groups, l);
                }
                ctx.finish();
                double gbs = size / (double) (System.nanoTime() - t0);
                if (r > 0) {
                    best = Math.max(best, gbs);
                }
            }
        }
        return best;
    }

    @Override
    public double fmaGflops(int rounds) {
        OpenClContext.Kernel k = ctx.kernel("probe_fma");
        int l = ctx.localSize(k, 256);
        long groups = Math.max(1, probeItems() / l);
        OpenClContext.Mem sink = ctx.alloc(4 * groups * l, "the FMA probe's sums");
        int iters = 256;
        double best = 0;
        for (int r = 0; r <= rounds; r++) {
            long t0 = System.nanoTime();
            synchronized (ctx) {
                ctx.launch(k).mem(sink).i(iters).run(groups, l);
            }
            ctx.finish();
            long ns = System.nanoTime() - t0;
            if (r == 0) { // calibrate: about 0.1 s a round
                iters = (int) Math.max(256, Math.min(1 << 24, iters * (1e8 / Math.max(1, ns))));
                continue;
            }
            best = Math.max(best, 16.0 * iters * groups * l / ns);
        }
        return best;
    }

    // ---- float16 storage ------------------------------------------------------------------------------

    /** {@link HalfBuf#writeRounded}: the range check runs first, on the device, and nothing is written on failure. */
    void writeHalf(OpenClHalfBuf dst, int dstOff, FloatBuf srcb, int srcOff, int n) {
        OpenClFloatBuf src = buf(srcb);
        Objects.checkFromIndexSize(srcOff, n, src.len);
        Objects.checkFromIndexSize(dstOff, n, dst.len);
        if (n == 0) {
            return;
        }
        synchronized (ctx) {
            ctx.fill(flag, 0, 4, Integer.MAX_VALUE);
            int l = ctx.localSize(halfCheck, GROUP);
            ctx.launch(halfCheck).mem(src.mem).i(src.off + srcOff).i(n).mem(flag).run(groups(n, l), l);
            int bad = ctx.readInt(flag, 0);
            if (bad != Integer.MAX_VALUE) {
                float[] v = new float[1];
                src.read(srcOff + bad, v, 0, 1);
                throw new ArithmeticException("value " + v[0] + " at index " + (srcOff + bad)
                        + " is beyond the float16 range (+-" + HalfBuf.MAX_VALUE + ")");
            }
            l = ctx.localSize(halfStore, GROUP);
            ctx.launch(halfStore).mem(src.mem).i(src.off + srcOff).i(n).mem(dst.mem).i(dstOff).run(groups(n, l), l);
        }
    }
}
